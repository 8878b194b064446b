/**
 * One interface for every way a notice leaves the system (DESIGN.md: "outbox table + transports").
 *
 * The transports live here, beside the delivery activity, rather than in libs/: only the worker's delivery
 * activity may hand a message to the outside world, and the API and the CLI have no business importing them.
 */
import type { NotificationChannel } from '@app/persistence';

/** One outbox row as a transport sees it. */
export interface OutgoingMessage {
  /** The outbox row's id; stable across every attempt of the row. */
  readonly id: string;
  readonly channel: NotificationChannel;
  /** Mail address or mobile number. */
  readonly recipient: string;
  readonly subject: string | null;
  readonly body: string;
}

export interface NotificationTransport {
  /** Recorded in logs and errors: `smtp`, `http`. */
  readonly name: string;
  /**
   * Resolves once the receiving service has accepted the message. Rejects with a DeliveryError saying whether
   * the service definitely refused it (`temporary`, `permanent`) or the outcome is unknown; any other error
   * counts as `unknown`, so a transport bug can never cause a second delivery.
   */
  send(message: OutgoingMessage): Promise<void>;
}

/**
 * - `temporary`: definitely not delivered, the same message may succeed later (server busy, gateway 5xx).
 * - `permanent`: definitely not delivered, and it never will be (mailbox does not exist, invalid number).
 * - `unknown`: the service may have accepted it (connection lost after the message went out); the row must not
 *   be sent again automatically.
 */
export type DeliveryFailureKind = 'temporary' | 'permanent' | 'unknown';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** The failure kind of anything a transport threw; what is not a DeliveryError is in doubt. */
export function failureKindOf(error: unknown): DeliveryFailureKind {
  return error instanceof DeliveryError ? error.kind : 'unknown';
}
