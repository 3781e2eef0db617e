/** What commands print: tables and fields for people (stdout), notes for people (stderr), JSON for scripts. */

export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** A fixed width, for tables printed page by page (`--all`) whose later rows are not known yet. */
  width?: number;
}

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

/** One JSON document per line, for output that streams (each page of `--all`). */
export function printJsonLine(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data)}\n`);
}

/** Rows under a header; column widths fit the rows unless fixed. */
export function printTable<Row>(rows: Row[], columns: Column<Row>[], options: { header?: boolean } = {}): void {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
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
  process.stdout.write(fields.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join('\n') + '\n');
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A note for the person at the terminal: stderr, so stdout stays the command's output. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}
