/** The campaign's workflows, bundled alone by the workflow tests. */
export { inspectionCampaign } from './inspection-campaign.workflow';
export { provinceCampaign } from './province-campaign.workflow';
export { campaignRendering } from './campaign-rendering.workflow';
