/** Every workflow type the `registry` worker runs: the entry of the workflow bundle. */
export { applicationReview } from './application-review/application-review.workflow';
export { auditChainCheck } from './maintenance/audit-chain-check.workflow';
export { certificateIssuance } from './certificate-issuance/certificate-issuance.workflow';
export { certificateClaim } from './certificate-claim/certificate-claim.workflow';
export { photoVerification } from './photo-verification/photo-verification.workflow';
export { inspectionCampaign } from './inspection-campaign/inspection-campaign.workflow';
export { provinceCampaign } from './inspection-campaign/province-campaign.workflow';
export { campaignRendering } from './inspection-campaign/campaign-rendering.workflow';
export { outboxDispatch } from './notifications/outbox-dispatch.workflow';
