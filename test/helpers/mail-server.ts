import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the mail server received it, parsed by mailparser. */
export interface ReceivedMail {
  /** The envelope's recipient (RCPT TO). */
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Every header, as received. */
  headers: string;
  /** Every link of the HTML part and every URL in the text part. */
  links: string[];
}

export interface MailServerOptions {
  /** Recipients refused for good (550 to RCPT TO). */
  refuse?: (recipient: string) => boolean;
  /** Time taken to accept each message. */
  delayMs?: number;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server, login optional, no STARTTLS) that keeps what it receives;
 * `stop()` and `start()` again on the same port play a mail server outage.
 */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private port = 0;

  constructor(private readonly options: MailServerOptions = {}) {}

  static async start(options: MailServerOptions = {}): Promise<TestMailServer> {
    const server = new TestMailServer(options);
    await server.start();
    return server;
  }

  /** SMTP_URL for the gateway. */
  get url(): string {
    return `smtp://mailer:secret@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'mailer' }),
      onRcptTo: (address, _session, callback) => {
        if (this.options.refuse?.(address.address)) return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then(async (parsed) => {
            if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
            const html = typeof parsed.html === 'string' ? parsed.html : '';
            const text = parsed.text ?? '';
            const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
            const urls = [...text.matchAll(/https?:\/\/\S+/g)].map((match) => match[0]);
            this.received.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','),
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text,
              html,
              messageId: parsed.messageId ?? '',
              headers: [...parsed.headerLines].map((line) => line.line).join('\n'),
              links: [...hrefs, ...urls],
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The messages received for `to`. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to === address);
  }

  /** Waits until `count` messages (in all) have arrived, then a little longer to see that no more come. */
  async waitForCount(count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${this.received.length}: ${this.received.map((m) => m.subject).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.received;
  }

  /** Waits for the first message to `to` (and, if given, matching `subject`). */
  async waitFor(to: string, subject?: RegExp, timeoutMs = 15_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.to(to).find((candidate) => !subject || subject.test(candidate.subject));
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no message to ${to}${subject ? ` matching ${subject}` : ''}; received: ${this.received.map((m) => `${m.to}: ${m.subject}`).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
