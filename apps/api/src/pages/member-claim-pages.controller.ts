import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PHOTO_ROUTE_LABELS, PHOTO_ROUTES, type PhotoRoute } from '@app/domain/claims';
import { ClaimsService, type ClaimStatusView } from '../claims/claims.service';
import { PHOTO_MAX_SIDE, PHOTO_MIN_HEIGHT, PHOTO_MIN_WIDTH } from '../claims/photo-upload';
import { CurrentPrincipal, MemberOnly } from '../common/decorators';
import { readMultipart } from '../common/multipart';
import type { MemberPrincipal } from '../common/principal';
import { beijingTime, pageError, type PageError } from './page-helpers';

type Form = Record<string, string | undefined>;

/** Messages after a redirect, by a fixed key (a crafted link cannot put words on our page). */
const FLASH: Record<string, string> = {
  started: '申领已提交。请按下方“下一步”办理。',
  confirmed: '个人信息已确认，电子证书正在生成，通常一两分钟内完成，请稍后刷新本页。',
  cancelled: '申领已撤销。您可以重新选择照片方式。',
};

/** Plain words for what each route asks of the member, shown on the route's own page. */
const ROUTE_INTROS: Record<PhotoRoute, string> = {
  examPhoto: '系统将使用您参加注册会计师全国统一考试报名时的照片作为证书照片。请确认下方照片是您本人。',
  comparison: '上传一张本人近期免冠证件照，系统将与档案照片比对；比对未通过时转为到地方注协现场核验，并告诉您原因。',
  onSite: '请携带下列材料到所属地方注协，工作人员核对原件后上传您的证书照片。',
};

/** Fields of the personal-data form (R8). */
type DataField = 'mobile' | 'email' | 'address';

/**
 * The member portal's "基本情况 → 下载会员证" (R6–R8, R14): choose a photo route, follow the claim, confirm personal
 * data, withdraw, download the e-certificate. Every action goes through ClaimsService; this controller only turns its
 * answers and errors into pages.
 */
@ApiExcludeController()
@MemberOnly()
@Controller('member/claim')
export class MemberClaimPagesController {
  constructor(
    private readonly claims: ClaimsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async page(
    @CurrentPrincipal() member: MemberPrincipal,
    @Query('ok') ok: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.render(reply, member, { ok: ok ? FLASH[ok] : undefined, justConfirmed: ok === 'confirmed' });
  }

  /** One route's page: the exam photo to accept, the upload form with its limits, or what to bring on site. */
  @Get('route/:route')
  async routePage(
    @CurrentPrincipal() member: MemberPrincipal,
    @Param('route') route: string,
    @Res() reply: FastifyReply,
  ) {
    const status = await this.claims.status(member);
    // A claim already running or a certificate already issued: the overview says what to do next.
    if (status.claim || status.certificate) return reply.redirect('/member/claim', 303);
    return this.renderRoute(reply, member, status, this.route(route));
  }

  @Post('start')
  @HttpCode(200)
  async start(@CurrentPrincipal() member: MemberPrincipal, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let route: string | undefined;
    try {
      const { fields, files } = await readMultipart(request);
      route = fields.route;
      await this.claims.start(member, fields, files);
      return reply.redirect('/member/claim?ok=started', 303);
    } catch (error) {
      const problem = pageError(error);
      const status = await this.claims.status(member);
      if (route && (PHOTO_ROUTES as readonly string[]).includes(route) && !status.claim && !status.certificate) {
        return this.renderRoute(reply, member, status, route as PhotoRoute, problem);
      }
      return this.render(reply, member, { problem });
    }
  }

  @Post('confirm')
  @HttpCode(200)
  async confirm(@CurrentPrincipal() member: MemberPrincipal, @Body() form: Form, @Res() reply: FastifyReply) {
    try {
      await this.claims.confirm(member, form ?? {});
      return reply.redirect('/member/claim?ok=confirmed', 303);
    } catch (error) {
      return this.render(reply, member, { problem: pageError(error), form });
    }
  }

  @Post('cancel')
  @HttpCode(200)
  async cancel(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    try {
      await this.claims.cancel(member);
      return reply.redirect('/member/claim?ok=cancelled', 303);
    } catch (error) {
      return this.render(reply, member, { problem: pageError(error) });
    }
  }

  private route(value: string): PhotoRoute {
    if (!(PHOTO_ROUTES as readonly string[]).includes(value)) throw new NotFoundException('没有这种照片方式');
    return value as PhotoRoute;
  }

  private async render(
    reply: FastifyReply,
    member: MemberPrincipal,
    options: { ok?: string; problem?: PageError; form?: Form; justConfirmed?: boolean },
  ) {
    const status = await this.claims.status(member);
    const { problem, form } = options;
    const claim = status.claim;
    // The confirm signal is handled a moment after the redirect: do not offer the form a second time meanwhile.
    const awaitingData = claim?.stage === 'confirm' && !options.justConfirmed;
    const goingOnSite = claim?.stage === 'photo' && (claim.route === 'onSite' || claim.fallbackReason !== null);
    const state = claim ? claim.stage : status.certificate ? 'issued' : 'choose';
    const value = (field: DataField) => (form ? (form[field] ?? '') : (status[field] ?? ''));
    return reply
      .code(problem?.status ?? 200)
      .header('cache-control', 'private, no-store')
      .view('member/claim.hbs', {
        title: '下载会员证',
        ...this.memberView(member, status),
        ok: options.ok,
        error:
          problem && (problem.status === 400 ? '填写的信息有误，请按各项下方的提示修改后重新提交。' : problem.message),
        errors: problem?.fields ?? {},
        state,
        status,
        claim: claim && {
          ...claim,
          routeLabel: claim.route ? PHOTO_ROUTE_LABELS[claim.route] : null,
          nextStep:
            options.justConfirmed && claim.stage === 'confirm'
              ? '个人信息已确认，电子证书正在生成，完成后即可在本页下载。'
              : claim.nextStep,
        },
        awaitingData,
        goingOnSite,
        canCancel: claim?.stage === 'photo' || claim?.stage === 'confirm',
        data: { mobile: value('mobile'), email: value('email'), address: value('address') },
        lastOutcome: status.lastOutcome && {
          ...status.lastOutcome,
          at: beijingTime(status.lastOutcome.at),
          failed: status.lastOutcome.stage !== 'issued',
        },
        certificate: status.certificate && {
          ...status.certificate,
          issuedAt: beijingTime(status.certificate.issuedAt),
        },
        routes: status.routes.map((r) => ({ ...r, href: `/member/claim/route/${r.route}` })),
      });
  }

  private renderRoute(
    reply: FastifyReply,
    member: MemberPrincipal,
    status: ClaimStatusView,
    route: PhotoRoute,
    problem?: PageError,
  ) {
    const option = status.routes.find((r) => r.route === route)!;
    const maxBytes = this.config.photo.maxBytes;
    return reply
      .code(problem?.status ?? 200)
      .header('cache-control', 'private, no-store')
      .view('member/claim-route.hbs', {
        title: option.label,
        ...this.memberView(member, status),
        // A refused upload says what is wrong with the photo, not the API's field names.
        error: problem && (problem.status === 400 ? Object.values(problem.fields).join('；') : problem.message),
        errors: problem?.fields ?? {},
        route,
        option,
        intro: ROUTE_INTROS[route],
        examPhoto: route === 'examPhoto',
        comparison: route === 'comparison',
        onSite: route === 'onSite',
        checklist: status.onSiteChecklist,
        comparisonAvailable: status.comparisonAvailable,
        limits: {
          maxSize: `${(maxBytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`,
          minWidth: PHOTO_MIN_WIDTH,
          minHeight: PHOTO_MIN_HEIGHT,
          maxSide: PHOTO_MAX_SIDE,
        },
      });
  }

  private memberView(member: MemberPrincipal, status: ClaimStatusView) {
    return { principal: member, instituteName: status.instituteName, memberArea: true };
  }
}
