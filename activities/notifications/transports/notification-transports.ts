import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { NotificationChannel } from '@app/persistence';
import { HttpSmsTransport } from './http-sms-transport';
import { SmtpTransport } from './smtp-transport';
import type { NotificationTransport } from './transport';

/**
 * The transport of each channel as configured (MAIL_TRANSPORT, SMS_TRANSPORT). The `outbox` setting is the absence
 * of a transport: rows of that channel are never claimed and stay `pending`, where a developer reads them (the
 * outbox is the development mailbox), so there is no "send nothing" transport that would have to pretend.
 */
@Injectable()
export class NotificationTransports implements OnApplicationShutdown {
  private readonly byChannel: Partial<Record<NotificationChannel, NotificationTransport>> = {};

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { mail, sms } = config.notifications;
    if (mail.transport === 'smtp') {
      // loadConfig refuses smtp without a URL; this guards hand-built configs in tests.
      if (!mail.smtpUrl) throw new Error('SMTP_URL is required when MAIL_TRANSPORT=smtp');
      this.byChannel.mail = new SmtpTransport({
        url: mail.smtpUrl,
        from: mail.from,
        timeoutMs: mail.timeoutSeconds * 1000,
      });
    }
    if (sms.transport === 'http') {
      if (!sms.gatewayUrl || !sms.gatewayToken)
        throw new Error('SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN are required when SMS_TRANSPORT=http');
      this.byChannel.sms = new HttpSmsTransport({
        url: sms.gatewayUrl,
        token: sms.gatewayToken,
        timeoutMs: sms.timeoutSeconds * 1000,
      });
    }
  }

  /** The channels that have a transport: only their rows are claimed. */
  get channels(): NotificationChannel[] {
    return (Object.keys(this.byChannel) as NotificationChannel[]).sort();
  }

  of(channel: NotificationChannel): NotificationTransport | undefined {
    return this.byChannel[channel];
  }

  onApplicationShutdown(): void {
    const mail = this.byChannel.mail;
    if (mail instanceof SmtpTransport) mail.close();
  }
}

/** Whether any channel is delivered for real: the worker then starts the `outbox-dispatch` workflow. */
export function deliversAnything(config: AppConfig): boolean {
  return config.notifications.mail.transport !== 'outbox' || config.notifications.sms.transport !== 'outbox';
}
