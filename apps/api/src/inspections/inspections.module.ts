import { Module } from '@nestjs/common';
import { InspectionsController } from './inspections.controller';
import { InspectionsService } from './inspections.service';

@Module({ controllers: [InspectionsController], providers: [InspectionsService], exports: [InspectionsService] })
export class InspectionsModule {}
