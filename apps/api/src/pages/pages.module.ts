import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthModule } from '../auth/auth.module';
import { MembersModule } from '../members/members.module';
import { TasksModule } from '../tasks/tasks.module';
import { ApplicantPagesController } from './applicant-pages.controller';
import { ConsoleTasksController } from './console-tasks.controller';
import { PagesController } from './pages.controller';

@Module({
  imports: [AuthModule, MembersModule, ApplicationsModule, TasksModule],
  controllers: [PagesController, ApplicantPagesController, ConsoleTasksController],
})
export class PagesModule {}
