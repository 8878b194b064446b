/**
 * Inputs, results and the query of `outboxDispatch` (R14 delivery), shared by the workflow, its activity
 * (NotificationActivities.deliverPending) and the worker that starts it.
 */
import { defineQuery } from '@temporalio/workflow';

export interface DeliverPendingInput {
  /** Most rows handed to transports by one activity call. */
  readonly limit: number;
}

/** What one deliverPending call did with the rows it claimed. */
export interface DeliveryCounts {
  /** Rows handed to a transport (each marked `sending` and committed first). */
  readonly claimed: number;
  readonly sent: number;
  /** Refused for good, or refused for now on their last allowed attempt. */
  readonly failed: number;
  /** Refused for now: back to `pending` until their next attempt is due. */
  readonly retrying: number;
  /** Outcome unknown (the service may have the message): left in `sending` for an operator. */
  readonly unknown: number;
}

export interface DeliveryResult extends DeliveryCounts {
  /** Rows in `sending` after the call: in flight elsewhere, or in doubt since a crash or a lost answer. */
  readonly inDoubt: number;
}

export const ZERO_DELIVERY_COUNTS: DeliveryCounts = { claimed: 0, sent: 0, failed: 0, retrying: 0, unknown: 0 };

export interface OutboxDispatchInput {
  /** Sleep when nothing was pending; default 5 s (NOTIFICATION_POLL_INTERVAL). */
  readonly pollIntervalSeconds?: number;
  /** Rows per activity call; default 100. */
  readonly limit?: number;
  /** Loop iterations per run before continuing as new (bounded history); default 200. */
  readonly iterationsPerRun?: number;
  /** Carried across continue-as-new. */
  readonly carry?: { readonly run: number; readonly totals: DeliveryCounts };
}

export interface OutboxDispatchStatus {
  /** 1 for the first run, +1 per continue-as-new. */
  readonly run: number;
  /** Loop iterations of this run. */
  readonly iterations: number;
  /** Since the dispatcher was started (across runs). */
  readonly totals: DeliveryCounts;
  /** Rows in `sending` at the last call. */
  readonly inDoubt: number;
}

export const outboxDispatchStatusQuery = defineQuery<OutboxDispatchStatus>('outboxDispatchStatus');
