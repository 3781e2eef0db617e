import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Request bodies, variables and headers are never logged: passwords, codes and tokens
 * travel there. Errors are reduced to their type, code and message.
 *
 * Lines go to stdout asynchronously: a line per request written synchronously cost the event loop a `write` each;
 * buffered, the lines of many requests leave in one write off the event loop. Pino flushes what is left when the
 * process exits (also on `process.exit`, which the shutdown and the fatal-error paths take).
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: errorSummary } }, destination);
}

function errorSummary(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: unknown; message?: string; driverError?: { code?: unknown } };
  return { type: e?.name, code: e?.driverError?.code ?? e?.code, message: e?.message?.slice(0, 300) };
}
