import type { OutgoingMail } from '../mail-queue';

/**
 * What a message says, as plain strings: mail-layout.ts turns it into the text and HTML parts (escaping every
 * value), so no template writes HTML or can forget to escape.
 */
export interface MailContent {
  subject: string;
  /** The opening paragraphs. */
  paragraphs: string[];
  /** Label and value rows below them: the tenant, the time, the client address, the device. */
  details?: Array<[label: string, value: string]>;
  /** One link, built with the context's `link` so that it points at PUBLIC_URL. */
  action?: { label: string; url: string };
  /** Closing paragraphs, e.g. what to do if it was not you. */
  closing?: string[];
}

export interface RenderContext {
  /** The recipient's address. */
  to: string;
  /** An absolute link to a page of the gateway (`/reset-password`, `{ token }`), on PUBLIC_URL. */
  link(path: string, query?: Record<string, string>): string;
}

export interface MailTemplate<D> {
  name: string;
  content(data: D, context: RenderContext): MailContent;
  /** The message to enqueue, its data typed by the template. */
  message(to: string, data: D): OutgoingMail;
}

/**
 * A template: its name (stored on the outbox row) and what it says for its data. `data` is written when the
 * change commits and read when the message is sent, so it holds facts (names, times, a link's token), never
 * anything rendered.
 */
export function mailTemplate<D extends object>(name: string, content: (data: D, context: RenderContext) => MailContent): MailTemplate<D> {
  return { name, content, message: (to, data) => ({ to, template: name, data: data as Record<string, unknown> }) };
}
