/**
 * The SMS gateway adapter (DESIGN.md: "an SMS gateway adapter"): a thin HTTP contract that a carrier's or an SMS
 * vendor's API is put behind, so the worker needs no vendor SDK.
 *
 * Contract: `POST <SMS_GATEWAY_URL>` with `Authorization: Bearer <SMS_GATEWAY_TOKEN>` and
 * `{ "to": "<mobile>", "text": "<message>", "idempotencyKey": "<outbox row id>" }`.
 * - 2xx: accepted, delivered as far as we are concerned.
 * - 4xx: the message is refused for good (invalid number, text refused) → `failed`. Except 408, 425 and 429
 *   (try again later, by definition) and 401/403 (our token or account, not the message: once an operator fixes
 *   the setting the backlog goes out instead of having been failed).
 * - 5xx, another status, no answer, a timeout: try again later. A timeout or a dropped connection may hide a
 *   message the gateway did accept; the repeat carries the same idempotencyKey, and the gateway must drop a
 *   repeated key. That is what keeps SMS at most once per outbox row across retries.
 */
import { DeliveryError, type DeliveryFailureKind, type NotificationTransport, type OutgoingMessage } from './transport';

export interface HttpSmsOptions {
  readonly url: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Replaceable in unit specs; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

/** What an HTTP status of the gateway means for the message. */
export function classifyGatewayStatus(status: number): 'delivered' | DeliveryFailureKind {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 400 && status < 500 && ![401, 403, 408, 425, 429].includes(status)) return 'permanent';
  return 'temporary';
}

export class HttpSmsTransport implements NotificationTransport {
  readonly name = 'http';

  constructor(private readonly options: HttpSmsOptions) {}

  async send(message: OutgoingMessage): Promise<void> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${this.options.token}`,
        },
        body: JSON.stringify({ to: message.recipient, text: message.body, idempotencyKey: message.id }),
        // A redirect would turn the POST into a GET on most servers: take it as the (unusable) answer it is.
        redirect: 'manual',
        signal: timeout,
      });
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted
        ? `no answer within ${this.options.timeoutMs} ms`
        : error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new DeliveryError('temporary', `SMS gateway unavailable: ${reason}`, { cause: error });
    }
    const verdict = classifyGatewayStatus(response.status);
    if (verdict === 'delivered') return;
    throw new DeliveryError(verdict, `SMS gateway answered ${response.status}: ${text.slice(0, 300)}`);
  }
}
