import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService],
  // The console page (PagesModule) resolves through the same service as the JSON API.
  exports: [NotificationsService],
})
export class NotificationsModule {}
