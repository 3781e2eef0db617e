import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_HEADER, auditCsvLines, csvCell } from '../../web/src/audit-csv';

describe('the audit log CSV', () => {
  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  // Threat: a user-chosen workspace name or email runs as a formula when an admin opens the export in a spreadsheet.
  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const value of ['=HYPERLINK("http://evil")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('writes one CRLF line per event under the header, empty cells for what an event lacks', () => {
    const csv = AUDIT_CSV_HEADER + auditCsvLines([
      { id: 'e1', at: '2026-01-01T00:00:00.000Z', action: 'CHALLENGE_PASSED', method: 'TOTP', clientIp: '203.0.113.9', actor: { email: 'a@x.test' }, subject: { email: 'a@x.test' }, workspace: { name: 'Billing, EU' } },
      { id: 'e2', at: '2026-01-01T00:00:01.000Z', action: 'POLICY_CHANGED', actor: { email: 'o@x.test' } },
    ]);
    expect(csv).toBe(
      'at,action,method,actor,subject,workspace,client_ip,event_id\r\n' +
        '2026-01-01T00:00:00.000Z,CHALLENGE_PASSED,TOTP,a@x.test,a@x.test,"Billing, EU",203.0.113.9,e1\r\n' +
        '2026-01-01T00:00:01.000Z,POLICY_CHANGED,,o@x.test,,,,e2\r\n',
    );
  });
});
