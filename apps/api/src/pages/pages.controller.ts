import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROVINCES, findProvince, NATIONAL_BODY_NAME } from '@app/domain/provinces';
import { AuthService } from '../auth/auth.service';
import { SessionService } from '../auth/session.service';
import { AppException } from '../common/app-exception';
import { AllowPendingPasswordChange, CurrentPrincipal, MemberOnly, Public, StaffOnly } from '../common/decorators';
import { SESSION_COOKIE, type MemberPrincipal, type Principal, type StaffPrincipal } from '../common/principal';
import { MembersService } from '../members/members.service';
import { ListMembersQuery } from '../members/dto/list-members.dto';
import { staffShell } from './page-helpers';

type Form = Record<string, string | undefined>;

/** Only same-site paths may be redirect targets after log-in (no open redirect). */
function safeNext(next: string | undefined, fallback: string): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

function messageOf(error: unknown): string {
  if (error instanceof AppException) return (error.getResponse() as { message: string }).message;
  throw error;
}

/** The server-rendered shell: home, log-in pages, staff console and member portal (Chinese). */
@ApiExcludeController()
@Controller()
export class PagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly members: MembersService,
  ) {}

  @Public()
  @Get()
  home(@Req() req: FastifyRequest & { principal?: Principal }, @Res() reply: FastifyReply) {
    return reply.view('home.hbs', {
      title: '电子非执业会员证',
      principal: req.principal,
      nationalBody: NATIONAL_BODY_NAME,
    });
  }

  @Public()
  @Get('login')
  staffLoginPage(@Query('next') next: string | undefined, @Res() reply: FastifyReply) {
    return reply.view('login.hbs', { title: '工作人员登录', next });
  }

  @Public()
  @Post('login')
  async staffLogin(@Body() form: Form, @Res() reply: FastifyReply) {
    try {
      const staff = await this.auth.staffLogin(form.username ?? '', form.password ?? '');
      reply.setCookie(SESSION_COOKIE, this.sessions.issue(staff), this.sessions.cookieOptions());
      return reply.redirect(safeNext(form.next, '/console'), 303);
    } catch (error) {
      return reply.code(401).view('login.hbs', {
        title: '工作人员登录',
        next: form.next,
        username: form.username,
        error: messageOf(error),
      });
    }
  }

  @Public()
  @Post('logout')
  logout(@Res() reply: FastifyReply) {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  }

  @StaffOnly()
  @Get('console')
  console(@CurrentPrincipal() staff: StaffPrincipal, @Res() reply: FastifyReply) {
    return reply.view('console/home.hbs', { title: '工作台', ...staffShell(staff) });
  }

  @StaffOnly()
  @Get('console/members')
  async memberList(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Query() query: ListMembersQuery,
    @Res() reply: FastifyReply,
  ) {
    const page = await this.members.list(staff, query);
    const params = (p: number) =>
      new URLSearchParams({
        ...(query.province ? { province: query.province } : {}),
        ...(query.q ? { q: query.q } : {}),
        page: String(p),
      }).toString();
    return reply.view('console/members.hbs', {
      title: '会员查询',
      ...staffShell(staff),
      page,
      query,
      provinces: staff.provinceCode ? [] : PROVINCES.map((p) => ({ ...p, selected: p.code === query.province })),
      prev: page.page > 1 ? params(page.page - 1) : undefined,
      next: page.page < page.pages ? params(page.page + 1) : undefined,
    });
  }

  @Public()
  @Get('member/login')
  memberLoginPage(@Query('next') next: string | undefined, @Res() reply: FastifyReply) {
    return reply.view('member/login.hbs', { title: '会员登录', next });
  }

  @Public()
  @Post('member/login')
  async memberLogin(@Body() form: Form, @Res() reply: FastifyReply) {
    try {
      if (!/^\d{12}$/.test(form.certificateNo ?? '')) {
        return reply.code(400).view('member/login.hbs', {
          title: '会员登录',
          certificateNo: form.certificateNo,
          error: '证书编号应为 12 位数字。',
        });
      }
      const member = await this.auth.memberLogin(form.certificateNo!, form.password ?? '');
      reply.setCookie(SESSION_COOKIE, this.sessions.issue(member), this.sessions.cookieOptions());
      return reply.redirect(member.mustChangePassword ? '/member/password' : safeNext(form.next, '/member'), 303);
    } catch (error) {
      return reply
        .code(401)
        .view('member/login.hbs', { title: '会员登录', certificateNo: form.certificateNo, error: messageOf(error) });
    }
  }

  @MemberOnly()
  @Get('member')
  memberHome(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    return reply.view('member/home.hbs', { title: '会员服务', ...this.memberView(member) });
  }

  @AllowPendingPasswordChange()
  @MemberOnly()
  @Get('member/password')
  passwordPage(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    return reply.view('member/password.hbs', { title: '修改密码', ...this.memberView(member) });
  }

  @AllowPendingPasswordChange()
  @MemberOnly()
  @Post('member/password')
  async changePassword(@CurrentPrincipal() member: MemberPrincipal, @Body() form: Form, @Res() reply: FastifyReply) {
    const next = form.newPassword ?? '';
    let error: string | undefined;
    if (next !== form.confirmPassword) error = '两次输入的新密码不一致。';
    else if (next.length < 8 || !/[A-Za-z]/.test(next) || !/\d/.test(next))
      error = '新密码至少 8 位，须同时包含字母和数字。';
    if (!error) {
      try {
        const updated = await this.auth.changeMemberPassword(member.id, form.currentPassword ?? '', next);
        reply.setCookie(SESSION_COOKIE, this.sessions.issue(updated), this.sessions.cookieOptions());
        return reply.redirect('/member', 303);
      } catch (e) {
        error = messageOf(e);
      }
    }
    return reply.code(400).view('member/password.hbs', { title: '修改密码', ...this.memberView(member), error });
  }

  private memberView(member: MemberPrincipal) {
    return { principal: member, instituteName: findProvince(member.provinceCode)?.instituteName, memberArea: true };
  }
}
