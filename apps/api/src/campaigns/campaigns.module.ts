import { Module } from '@nestjs/common';
import { CampaignFollowUpService } from './campaign-follow-up.service';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

@Module({
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignFollowUpService],
  // The console's campaign pages (PagesModule) use the same services as the JSON API.
  exports: [CampaignsService, CampaignFollowUpService],
})
export class CampaignsModule {}
