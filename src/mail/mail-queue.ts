import type { Tx } from '../db/database';

/**
 * One e-mail to send, as the change that causes it describes it: the template renders it when it is sent
 * (subject, text and HTML parts, links to PUBLIC_URL). `data` holds what the template needs and never a second
 * factor, password or code; a link's token is the one secret it may hold, and the queue keeps `data` sealed.
 */
export interface OutgoingMail {
  /** The recipient's address, as stored (normalised). */
  to: string;
  /** A template name from src/mail/templates (`mailTemplate(…).message(to, data)` builds the whole message, typed). */
  template: string;
  data: Record<string, unknown>;
}

/**
 * The transactional outbox: a message is written in the caller's transaction, beside the change it reports, so
 * it is sent if and only if that change commits. Delivery (retries, backoff, once across processes) happens
 * after the commit, elsewhere (mail-sender.ts).
 */
export interface MailQueue {
  enqueue(tx: Tx, mail: OutgoingMail, now: Date): Promise<void>;
}
