/**
 * Which injectable activity classes each task queue serves. Adding a class here (and its
 * module's providers to WorkerModule) is all it takes to put its methods on a queue.
 */
import { AuditActivities } from '@app/activities/audit/audit.activities';
import { RenderActivities } from '@app/activities/render/render.activities';

export const REGISTRY_ACTIVITY_CLASSES = [AuditActivities] as const;
export const RENDER_ACTIVITY_CLASSES = [RenderActivities] as const;
