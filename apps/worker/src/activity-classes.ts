/**
 * Which injectable activity classes each task queue serves. Adding a class here (and its
 * module's providers to WorkerModule) is all it takes to put its methods on a queue.
 */
import { ApplicationActivities } from '@app/activities/applications/applications.activities';
import { AuditActivities } from '@app/activities/audit/audit.activities';
import { CampaignActivities } from '@app/activities/campaign/campaign.activities';
import { CertificateActivities } from '@app/activities/certificates/certificate.activities';
import { ClaimActivities } from '@app/activities/claims/claims.activities';
import { NotificationActivities } from '@app/activities/notifications/delivery.activities';
import { PhotoActivities } from '@app/activities/photos/photo.activities';
import { RenderActivities } from '@app/activities/render/render.activities';

export const REGISTRY_ACTIVITY_CLASSES = [
  AuditActivities,
  CertificateActivities,
  ApplicationActivities,
  ClaimActivities,
  PhotoActivities,
  CampaignActivities,
  NotificationActivities,
] as const;
export const RENDER_ACTIVITY_CLASSES = [RenderActivities] as const;
