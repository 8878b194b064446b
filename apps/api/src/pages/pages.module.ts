import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ClaimsModule } from '../claims/claims.module';
import { InspectionsModule } from '../inspections/inspections.module';
import { MembersModule } from '../members/members.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { TasksModule } from '../tasks/tasks.module';
import { ApplicantPagesController } from './applicant-pages.controller';
import { ConsoleCampaignsController } from './console-campaigns.controller';
import { ConsoleInspectionsController } from './console-inspections.controller';
import { ConsoleMembersController } from './console-members.controller';
import { ConsoleNotificationsController } from './console-notifications.controller';
import { ConsoleTasksController } from './console-tasks.controller';
import { MemberClaimPagesController } from './member-claim-pages.controller';
import { PagesController } from './pages.controller';

@Module({
  imports: [
    AuthModule,
    MembersModule,
    ApplicationsModule,
    TasksModule,
    ClaimsModule,
    InspectionsModule,
    CampaignsModule,
    NotificationsModule,
  ],
  controllers: [
    PagesController,
    ApplicantPagesController,
    ConsoleTasksController,
    ConsoleMembersController,
    ConsoleInspectionsController,
    ConsoleCampaignsController,
    ConsoleNotificationsController,
    MemberClaimPagesController,
  ],
})
export class PagesModule {}
