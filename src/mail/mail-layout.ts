import escapeHtml from 'escape-html';
import type { MailContent } from './templates/mail-template';

export interface RenderedParts {
  subject: string;
  text: string;
  html: string;
}

/**
 * Control characters (which a terminal or mail client may act on), line and paragraph separators, and the
 * bidirectional overrides that make text read differently from what it is: values such as a tenant's name or a
 * user agent come from clients, so they are flattened to one plain line.
 */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

function plainLine(value: string): string {
  return value.replace(UNSAFE_CHARACTERS, ' ').trim();
}

/**
 * The text and HTML parts of a message from what its template says, both from the same content: the text part
 * reads well on its own, and the HTML part escapes every value (escape-html) inside a fixed, inline-styled frame.
 * `footer` names where the message comes from (PUBLIC_URL).
 */
export function renderMail(content: MailContent, footer: string): RenderedParts {
  const subject = plainLine(content.subject);
  const paragraphs = content.paragraphs.map(plainLine);
  const details = (content.details ?? []).map(([label, value]) => [plainLine(label), plainLine(value)] as const);
  const closing = (content.closing ?? []).map(plainLine);
  const action = content.action && { label: plainLine(content.action.label), url: plainLine(content.action.url) };

  const width = Math.max(0, ...details.map(([label]) => label.length)) + 2;
  const text = [
    ...paragraphs,
    ...(details.length ? [details.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`).join('\n')] : []),
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...closing,
    `-- \n${plainLine(footer)}`,
  ].join('\n\n');

  const p = (line: string) => `<p style="margin:0 0 16px">${escapeHtml(line)}</p>`;
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f5f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1d1d1f">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">',
    ...paragraphs.map(p),
    ...(details.length
      ? [
          '<table role="presentation" style="margin:0 0 16px;border-collapse:collapse">',
          ...details.map(
            ([label, value]) =>
              `<tr><td style="padding:2px 16px 2px 0;color:#6e6e73;vertical-align:top">${escapeHtml(label)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
          ),
          '</table>',
        ]
      : []),
    ...(action
      ? [
          `<p style="margin:0 0 16px"><a href="${escapeHtml(action.url)}" style="display:inline-block;background:#0b57d0;color:#ffffff;text-decoration:none;padding:10px 16px;border-radius:6px">${escapeHtml(action.label)}</a></p>`,
          `<p style="margin:0 0 16px;font-size:13px;color:#6e6e73">${escapeHtml(action.url)}</p>`,
        ]
      : []),
    ...closing.map(p),
    `<p style="margin:24px 0 0;font-size:13px;color:#6e6e73">${escapeHtml(plainLine(footer))}</p>`,
    '</div></body></html>',
  ].join('\n');

  return { subject, text, html };
}
