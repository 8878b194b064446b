import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

@Module({
  controllers: [CampaignsController],
  providers: [CampaignsService],
  // The console's campaign pages (PagesModule) use the same service as the JSON API.
  exports: [CampaignsService],
})
export class CampaignsModule {}
