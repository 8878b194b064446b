import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AllowPendingPasswordChange, CurrentPrincipal, MemberOnly, Public } from '../common/decorators';
import { SESSION_COOKIE, type MemberPrincipal, type Principal } from '../common/principal';
import { AuthService } from './auth.service';
import { ChangePasswordDto, MemberLoginDto, StaffLoginDto } from './dto/login.dto';
import { SessionService } from './session.service';

@ApiTags('auth 登录')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  @Public()
  @Post('staff/login')
  @HttpCode(200)
  @ApiOperation({ summary: '工作人员登录' })
  async staffLogin(@Body() dto: StaffLoginDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.startSession(await this.auth.staffLogin(dto.username, dto.password), reply);
  }

  @Public()
  @Post('member/login')
  @HttpCode(200)
  @ApiOperation({ summary: '会员登录（证书编号 + 密码）' })
  async memberLogin(@Body() dto: MemberLoginDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.startSession(await this.auth.memberLogin(dto.certificateNo, dto.password), reply);
  }

  @AllowPendingPasswordChange()
  @MemberOnly()
  @Post('member/password')
  @HttpCode(200)
  @ApiOperation({ summary: '会员修改密码（首次登录必须先修改初始密码）' })
  async changePassword(
    @CurrentPrincipal() member: MemberPrincipal,
    @Body() dto: ChangePasswordDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.startSession(
      await this.auth.changeMemberPassword(member.id, dto.currentPassword, dto.newPassword),
      reply,
    );
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @AllowPendingPasswordChange()
  @Get('me')
  @ApiOperation({ summary: '当前登录身份' })
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  private startSession(principal: Principal, reply: FastifyReply) {
    const token = this.sessions.issue(principal);
    reply.setCookie(SESSION_COOKIE, token, this.sessions.cookieOptions());
    return { token, principal };
  }
}
