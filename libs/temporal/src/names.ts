/**
 * Names shared by workflows, workers and the API: task queues, search-attribute keys and
 * workflow ids. Pure (only @temporalio/common), so workflow code may import it.
 *
 * Workflow ids are derived from business keys (DESIGN.md, Workflows) so that the Temporal
 * UI and the API find a process without a lookup table.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TASK_QUEUES = {
  /** Workflows plus database and notification activities. */
  registry: 'registry',
  /** Certificate rendering (Chromium pool) and sealing; scaled out separately. */
  render: 'render',
} as const;
export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

export const SEARCH_ATTRIBUTES = {
  province: defineSearchAttributeKey('Province', SearchAttributeType.KEYWORD),
  memberNo: defineSearchAttributeKey('MemberNo', SearchAttributeType.KEYWORD),
  applicationNo: defineSearchAttributeKey('ApplicationNo', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  campaignYear: defineSearchAttributeKey('CampaignYear', SearchAttributeType.INT),
} as const;

export const workflowIds = {
  application: (applicationNo: string) => `application-${applicationNo}`,
  claim: (memberNo: string) => `claim-${memberNo}`,
  photo: (memberNo: string, attempt: number) => `photo-${memberNo}-${attempt}`,
  certificate: (certificateNo: string, version: number) => `certificate-${certificateNo}-v${version}`,
  campaign: (year: number) => `campaign-${year}`,
  provinceCampaign: (year: number, provinceCode: string) => `campaign-${year}-${provinceCode}`,
  campaignRendering: (year: number) => `campaign-${year}-render`,
  /** The one long-running dispatcher of the outbox (R14), started by the worker when a transport is configured. */
  outboxDispatch: () => 'outbox-dispatch',
} as const;
