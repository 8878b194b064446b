/**
 * applicationReview (R3–R5, R17, R18, R20): the application waits for the first review by
 * the applicant's institute, then the second review by the national body. Either may
 * approve, reject with a reason, or return it for correction; a corrected application
 * starts again at the first review. Approval admits the member (certificate number,
 * initial password). Tasks that wait too long remind the queue's owners.
 */
import {
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { REVIEW_LEVEL_LABELS, REVIEW_OUTCOME_LABELS, type ReviewDecision, type ReviewLevel } from '@app/domain/review';
import { SEARCH_ATTRIBUTES } from '@app/temporal/names';
import type { ApplicationActivities } from '../../activities/applications/applications.activities';
import { DecisionInbox, decisionSignal } from '../common/decision-inbox';
import {
  progressQuery,
  resubmittedSignal,
  type ApplicationProgress,
  type ApplicationReviewInput,
  type ApplicationReviewResult,
  type ApplicationStage,
  type ProgressStep,
} from './application-review.messages';

const activities = proxyActivities<ApplicationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export async function applicationReview(input: ApplicationReviewInput): Promise<ApplicationReviewResult> {
  const inbox = new DecisionInbox();
  let resubmissions = 0;
  let stage: ApplicationStage = 'firstReview';
  let taskId: string | null = null;
  let round = 1;
  let certificateNo: string | null = null;
  const steps: ProgressStep[] = [{ at: now(), stage: 'submitted' }];

  setHandler(decisionSignal, (signal) => inbox.deliver(signal));
  setHandler(resubmittedSignal, () => void resubmissions++);
  setHandler(progressQuery, (): ApplicationProgress => ({
    applicationNo: input.applicationNo,
    stage,
    taskId,
    round,
    steps,
    certificateNo,
  }));

  const enter = (next: ApplicationStage, details: string) => {
    stage = next;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: next }]);
    setCurrentDetails(`${input.applicationNo} ${input.applicantName}：${details}`);
  };

  /** One review level: open the task, wait (with reminders), record the outcome. */
  const review = async (level: ReviewLevel): Promise<ReviewDecision> => {
    enter(level, `等待${REVIEW_LEVEL_LABELS[level]}`);
    steps.push({ at: now(), stage: level });
    const task = await activities.openReviewTask({
      applicationId: input.applicationId,
      level,
      round,
      workflowId: workflowInfo().workflowId,
      dueInSeconds: input.reminderAfterSeconds,
    });
    taskId = task.taskId;
    const decision = await inbox.waitFor<ReviewDecision>(task.taskId, {
      remindEvery: input.reminderAfterSeconds * 1000,
      onOverdue: (reminder) => activities.remindReviewTask({ taskId: task.taskId, reminder }),
    });
    taskId = null;
    steps.push({ at: now(), stage: level, outcome: decision.outcome, reason: decision.reason });
    await activities.recordReviewOutcome({ applicationId: input.applicationId, level, round, decision });
    return decision;
  };

  for (;;) {
    const first = await review('firstReview');
    if (first.outcome === 'approve') {
      const second = await review('secondReview');
      if (second.outcome === 'approve') break;
      if (second.outcome === 'reject') return finish('rejected', second);
    } else if (first.outcome === 'reject') {
      return finish('rejected', first);
    }
    // Returned for correction at either level: wait for the applicant, then start again.
    enter('returned', `已退回修改，等待申请人重新提交`);
    const seen = resubmissions;
    await condition(() => resubmissions > seen);
    round++;
    steps.push({ at: now(), stage: 'resubmitted' });
  }

  enter('admitting', '审核通过，正在办理入会');
  const admitted = await activities.admitMember({ applicationId: input.applicationId });
  certificateNo = admitted.certificateNo;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.memberNo, value: admitted.certificateNo }]);
  enter('approved', `已入会，证书编号 ${admitted.certificateNo}`);
  steps.push({ at: now(), stage: 'approved' });
  return { outcome: 'approved', certificateNo };

  function finish(outcome: 'rejected', decision: ReviewDecision): ApplicationReviewResult {
    enter(outcome, `${REVIEW_OUTCOME_LABELS[decision.outcome]}：${decision.reason ?? ''}`);
    return { outcome, certificateNo: null };
  }
}

/** Workflow time (deterministic), as ISO text for the progress steps. */
function now(): string {
  return new Date().toISOString();
}
