import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config';

/** A rendered message, ready to leave. */
export interface MailToSend {
  /** The outbox row's id: the Message-ID's local part, so a message sent twice is recognisably one. */
  id: string;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Resolves once the mail server accepted the message (or the .eml file is written: `file`). */
  send(mail: MailToSend): Promise<{ file?: string }>;
  close(): void;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * How long one SMTP step may take. The sender begins a send only while its claim has longer than all of them
 * together left to run (mail-sender.ts), so a slow server never lets a claim lapse mid-send.
 */
export const SMTP_TIMEOUTS_MS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

export interface TransportOptions {
  dataDir: string;
  isProduction: boolean;
  /** `<id@host>` with the host of PUBLIC_URL. */
  messageId(id: string): string;
}

/**
 * nodemailer's SMTP transport for `smtp`, and for `files` its stream transport, which builds the same MIME
 * message that is then written under DATA_DIR/outbox (0600: link tokens are in it). Messages carry no
 * attachments, and nodemailer is told never to read files or URLs into one.
 */
export function createMailTransport(config: MailConfig, options: TransportOptions): MailTransport {
  const common = { disableFileAccess: true, disableUrlAccess: true };
  if (config.delivery === 'smtp') {
    const url = new URL(config.smtpUrl!);
    const transporter = nodemailer.createTransport({
      url: config.smtpUrl!,
      ...SMTP_TIMEOUTS_MS,
      ...common,
      // smtp:// upgrades with STARTTLS when the server offers it. In production, off loopback, it must: the
      // credentials and the links' tokens never cross a network in clear (`?requireTLS=false` in SMTP_URL overrides).
      requireTLS: options.isProduction && url.protocol === 'smtp:' && !LOOPBACK_HOSTS.has(url.hostname),
    });
    return {
      send: async (mail) => {
        await transporter.sendMail(message(config, options, mail));
        return {};
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', ...common });
  const folder = path.join(options.dataDir, 'outbox');
  return {
    send: async (mail) => {
      const info = await transporter.sendMail(message(config, options, mail));
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(folder, `${stamp}-${mail.template}-${mail.id}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      return { file };
    },
    close: () => transporter.close(),
  };
}

function message(config: MailConfig, options: TransportOptions, mail: MailToSend) {
  return { from: config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: options.messageId(mail.id) };
}

/**
 * The mail server refused this message for good (a 5xx to RCPT TO or DATA: no such mailbox, content refused):
 * trying again cannot help. Anything else (a refused connection, a 4xx, a time-out, a rejected login) is tried
 * again later, so an outage or a wrong setting, once fixed, loses nothing.
 */
export function isPermanentRejection(error: unknown): boolean {
  const e = error as { permanent?: unknown; command?: unknown };
  return e?.permanent === true && (e.command === 'RCPT TO' || e.command === 'DATA');
}
