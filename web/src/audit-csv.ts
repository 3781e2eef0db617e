/**
 * The audit log as CSV (RFC 4180): one header line, then one line per event. Emails and workspace names are
 * chosen by users, so a cell that a spreadsheet would run as a formula (= + - @, tab, carriage return first)
 * is prefixed with an apostrophe (OWASP "CSV injection").
 */
export interface CsvEvent {
  id: string;
  at: string;
  action: string;
  method?: string | null;
  clientIp?: string | null;
  actor?: { email: string } | null;
  subject?: { email: string } | null;
  workspace?: { name: string } | null;
}

export const AUDIT_CSV_HEADER = csvLine(['at', 'action', 'method', 'actor', 'subject', 'workspace', 'client_ip', 'event_id']);

export function auditCsvLines(events: CsvEvent[]): string {
  return events
    .map((event) =>
      csvLine([event.at, event.action, event.method ?? '', event.actor?.email ?? '', event.subject?.email ?? '', event.workspace?.name ?? '', event.clientIp ?? '', event.id]),
    )
    .join('');
}

function csvLine(cells: string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
