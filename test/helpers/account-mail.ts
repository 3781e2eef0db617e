import { expect } from 'vitest';
import type { DatabaseKind } from './databases';
import { startTestGateway, TestGateway } from './gateway';
import { ReceivedMail, TestMailServer } from './mail-server';

/**
 * A gateway whose messages go to a real SMTP server the test started (and stops with the gateway). Outside
 * production its PUBLIC_URL is where it listens (PORT 0), so the links in its messages open this very gateway.
 */
export async function startGatewayWithMail(kind: DatabaseKind, env: Record<string, string> = {}): Promise<{ t: TestGateway; mail: TestMailServer; close(): Promise<void> }> {
  const mail = await TestMailServer.start();
  const t = await startTestGateway(kind, { PORT: '0', SMTP_URL: mail.url, MAIL_FROM: 'Gateway <no-reply@gateway.test>', MAIL_POLL_INTERVAL_MS: '100', ...env });
  return {
    t,
    mail,
    async close() {
      await t.close();
      await mail.stop();
    },
  };
}

/**
 * The token of the one link in a message that opens `path` on the gateway's PUBLIC_URL, after checking that
 * every link of the message points there and that the text and HTML parts carry the same link.
 */
export function linkToken(t: TestGateway, mail: ReceivedMail, path: string): string {
  const base = t.gateway.services.publicUrl.base;
  for (const link of mail.links) expect(link === base || link.startsWith(`${base}/`), `${link} is not on ${base}`).toBe(true);
  const links = [...new Set(mail.links.filter((link) => new URL(link).pathname === path))];
  expect(links, `links to ${path} in "${mail.subject}"`).toHaveLength(1);
  const token = new URL(links[0]).searchParams.get('token');
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
  return token!;
}

/** Nothing a message must never hold: passwords, codes, secrets (a link's token is the one secret it may carry). */
export function expectNoSecrets(mail: ReceivedMail, secrets: string[]): void {
  for (const secret of secrets.filter(Boolean)) {
    expect(mail.text).not.toContain(secret);
    expect(mail.html).not.toContain(secret);
    expect(mail.subject).not.toContain(secret);
  }
}
