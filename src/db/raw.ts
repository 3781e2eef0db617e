/** Raw rows differ by driver: SQLite gives datetimes as UTC text and booleans as 0/1, mysql2 gives Dates. */
export function rawDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}

export function rawBool(value: unknown): boolean {
  return value === true || Number(value) === 1;
}

export function rawInt(value: unknown): number {
  return Number(value ?? 0);
}

/** `?, ?, ?` for an IN list of `values`. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

export function rawIntOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
