
/**
 * What commands print: tables and fields for people (stdout), notes for people (stderr), JSON for scripts.
 * Everything goes through here, and much of it came from other clients of the gateway (session user agents,
 * agent, tenant and workspace names, issuers, e-mails), so none of it reaches the terminal as written: text
 * for people loses its control and format characters (forTerminal), and JSON writes them as \u escapes.
 */

/**
 * C0 and C1 controls and DEL (escape sequences: a lone byte 0x9B is a CSI to many terminals), format
 * characters (bidi embeddings, overrides and isolates, zero-width characters, soft hyphens) and the Unicode
 * line and paragraph separators.
 */
const UNSAFE_FOR_TERMINAL = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** One line of text for the terminal, without anything that could move the cursor, recolour or reorder it. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, '');
}

/** Text of several lines: each line as forTerminal makes it. */
function linesForTerminal(text: string): string {
  return text.split('\n').map(forTerminal).join('\n');
}

export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** A fixed width, for tables printed page by page (`--all`) whose later rows are not known yet. */
  width?: number;
}

export function printJson(data: unknown): void {
  process.stdout.write(`${escapeUnsafe(JSON.stringify(data, null, 2))}\n`);
}

/** One JSON document per line, for output that streams (each page of `--all`). */
export function printJsonLine(data: unknown): void {
  process.stdout.write(`${escapeUnsafe(JSON.stringify(data))}\n`);
}

/**
 * JSON.stringify escapes C0 controls only; the rest (DEL, C1, bidi, zero-width) it writes as they are. Written as
 * \u escapes instead, the JSON stays the same data for scripts and shows nothing hostile on a terminal. Such a
 * character can only stand inside a string; the line breaks of the indentation stay.
 */
function escapeUnsafe(json: string): string {
  return json.replace(UNSAFE_FOR_TERMINAL, (character) =>
    character === '\n' ? character : Array.from({ length: character.length }, (_, i) => `\\u${character.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

/** Rows under a header; column widths fit the rows unless fixed. */
export function printTable<Row>(rows: Row[], columns: Column<Row>[], options: { header?: boolean } = {}): void {
  const cells = rows.map((row) => columns.map((column) => forTerminal(column.value(row))));
  const widths = columns.map((column, i) => column.width ?? Math.max(column.header.length, ...cells.map((line) => line[i].length)));
  const format = (line: string[]) =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = cells.map(format);
  if (options.header !== false) lines.unshift(format(columns.map((column) => column.header)));
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Label/value pairs, one per line, labels aligned. */
export function printFields(fields: Array<[label: string, value: string]>): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  process.stdout.write(fields.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${forTerminal(value)}`).join('\n') + '\n');
}

export function printLine(line = ''): void {
  process.stdout.write(`${linesForTerminal(line)}\n`);
}

/** A note for the person at the terminal: stderr, so stdout stays the command's output. */
export function note(line: string): void {
  process.stderr.write(`${linesForTerminal(line)}\n`);
}

/**
 * A QR code of `text`: the one output that carries escape sequences, made here. At a terminal, qrcode's
 * `terminal` drawing (half blocks in ANSI colours, so it scans on dark and light themes alike); into a file or a
 * pipe, plain Unicode blocks without escape codes. qrcode is loaded only when a QR code is drawn.
 */
export async function printQrCode(text: string): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  const drawing = process.stdout.isTTY ? await QRCode.toString(text, { type: 'terminal', small: true }) : await QRCode.toString(text, { type: 'utf8' });
  process.stdout.write(`${drawing}\n`);
}

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}
