import { ApplicationAttachment } from './application-attachment.entity';
import { Application } from './application.entity';
import { AuditEvent } from './audit-event.entity';
import { CampaignMember, CampaignProvince } from './campaign.entity';
import { CertificateNumberCounter } from './certificate-number-counter.entity';
import { Certificate } from './certificate.entity';
import { ExamPhoto } from './exam-photo.entity';
import { Inspection } from './inspection.entity';
import { Institute } from './institute.entity';
import { Member } from './member.entity';
import { Notification } from './notification.entity';
import { Photo } from './photo.entity';
import { StaffAccount } from './staff-account.entity';
import { Task } from './task.entity';
import { Transfer } from './transfer.entity';

export * from './application-attachment.entity';
export * from './application.entity';
export * from './audit-event.entity';
export * from './campaign.entity';
export * from './certificate-number-counter.entity';
export * from './certificate.entity';
export * from './exam-photo.entity';
export * from './inspection.entity';
export * from './institute.entity';
export * from './member.entity';
export * from './notification.entity';
export * from './photo.entity';
export * from './staff-account.entity';
export * from './task.entity';
export * from './transfer.entity';

/** Every entity, for `DataSourceOptions.entities` and `TypeOrmModule.forFeature`. */
export const ENTITIES = [
  Institute,
  StaffAccount,
  Member,
  CertificateNumberCounter,
  Application,
  ApplicationAttachment,
  Task,
  Photo,
  ExamPhoto,
  Certificate,
  Inspection,
  Transfer,
  Notification,
  AuditEvent,
  CampaignProvince,
  CampaignMember,
];
