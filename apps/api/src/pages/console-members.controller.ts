import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply } from 'fastify';
import { ClaimsService, type TimelineEntry } from '../claims/claims.service';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { CertificateNoPipe } from '../common/pipes';
import type { StaffPrincipal } from '../common/principal';
import { beijingTime, sendStaffPage } from './page-helpers';

const KIND_LABELS: Record<TimelineEntry['kind'], string> = {
  claim: '申领',
  photo: '照片',
  task: '现场核验',
  certificate: '证书',
  data: '个人信息',
  other: '其他',
};

/** Audit events written by workflow activities carry the workflow's name as actor; staff read that as "the system". */
const SYSTEM_ACTORS = new Set(['certificateClaim', 'photoVerification', 'certificateIssuance']);

/**
 * One member at a glance for staff answering questions (R14): claims, photo routes, fallbacks, on-site decisions and
 * certificate versions on one timeline. ClaimsService.timeline applies the province scope (other province: 403).
 */
@ApiExcludeController()
@StaffOnly()
@Controller('console/members')
export class ConsoleMembersController {
  constructor(private readonly claims: ClaimsService) {}

  @Get(':certificateNo')
  async timeline(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
    @Res() reply: FastifyReply,
  ) {
    const { member, entries } = await this.claims.timeline(staff, certificateNo);
    return sendStaffPage(reply, staff, 200, 'console/member.hbs', {
      title: `${member.name} · ${member.certificateNo}`,
      member,
      hasCertificate: entries.some((e) => e.kind === 'certificate'),
      // Newest first: staff answering a call want the latest state at the top.
      entries: entries
        .map((e) => ({
          ...e,
          actor: SYSTEM_ACTORS.has(e.actor) ? '系统' : e.actor,
          atLabel: beijingTime(e.at),
          kindLabel: KIND_LABELS[e.kind] ?? e.kind,
        }))
        .reverse(),
    });
  }
}
