import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MembersModule } from '../members/members.module';
import { PagesController } from './pages.controller';

@Module({ imports: [AuthModule, MembersModule], controllers: [PagesController] })
export class PagesModule {}
