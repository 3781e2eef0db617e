import { describe, expect, it } from 'vitest';
import { renderMail } from '../../src/mail/mail-layout';
import { retryDelayMs } from '../../src/mail/mail-sender';
import { mailTemplateNamed, MAIL_TEMPLATE_NAMES } from '../../src/mail/templates/registry';
import { NOTICE_TEMPLATES } from '../../src/mail/security-notices';

const link = (path: string, query: Record<string, string> = {}) => `https://auth.example.com${path}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;
const facts = { at: '2026-07-01T14:03:12.345Z', clientIp: '203.0.113.7', userAgent: 'Browser/1.0', tenantName: 'Acme', recoveryCodesLeft: 3 };
/** What the account messages (links, invitations, member-added) say besides. */
const accountFacts = { name: 'Ann', token: 'the-links-token', expiresAt: '2026-07-08T14:03:12.345Z', invitedBy: 'Olivia', addedBy: 'Olivia', role: 'ADMIN' };

describe('mail templates', () => {
  it('are listed once each, and every security notice is among them', () => {
    expect(new Set(MAIL_TEMPLATE_NAMES).size).toBe(MAIL_TEMPLATE_NAMES.length);
    for (const template of Object.values(NOTICE_TEMPLATES)) expect(MAIL_TEMPLATE_NAMES).toContain(template!.name);
  });

  it.each(MAIL_TEMPLATE_NAMES)('%s renders a subject, a text part and an HTML part, with its one link on PUBLIC_URL', (name) => {
    const content = mailTemplateNamed(name)!.content({ ...facts, ...accountFacts }, { to: 'agent@example.test', link });
    const { subject, text, html } = renderMail(content, 'https://auth.example.com');
    expect(subject.length).toBeGreaterThan(5);
    if (content.details?.some(([label]) => label === 'When')) {
      // A security notice: when, and from where.
      expect(text).toContain('2026-07-01 14:03:12 UTC');
      expect(text).toContain('203.0.113.7');
    } else if (content.action?.url.includes('token=')) {
      // A link's message: the link carries its token, and says until when it works.
      expect(content.action.url).toMatch(/\?token=the-links-token$/);
      expect(text).toContain('2026-07-08 14:03:12 UTC');
    }
    expect(html).toMatch(/^<!doctype html>/);
    for (const url of [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0])) expect(url.startsWith('https://auth.example.com')).toBe(true);
  });

  it('escapes every value in HTML and flattens control and bidirectional characters everywhere', () => {
    const hostile = 'Evil <script>alert(1)</script> & "co"\r\nBcc: x@y\u202e\u0007';
    const content = mailTemplateNamed('two-factor-disabled')!.content({ ...facts, tenantName: hostile, userAgent: hostile }, { to: 'a@b.c', link });
    const { subject, text, html } = renderMail(content, 'https://auth.example.com');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;');
    for (const part of [subject, text, html]) expect(part).not.toMatch(/[\r\u0007\u202e]|\nBcc/);
  });
});

describe('retries', () => {
  it('wait about 30 s, then twice as long each time up to an hour, half of it random', () => {
    expect(retryDelayMs(1, () => 0)).toBe(15_000);
    expect(retryDelayMs(1, () => 1)).toBe(30_000);
    expect(retryDelayMs(2, () => 1)).toBe(60_000);
    expect(retryDelayMs(4, () => 0.5)).toBe(180_000);
    expect(retryDelayMs(20, () => 1)).toBe(3600_000);
    expect(retryDelayMs(20, () => 0)).toBe(1800_000);
  });
});
