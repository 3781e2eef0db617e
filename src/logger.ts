import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Request bodies, variables and headers are never logged: passwords, codes and tokens
 * travel there. Errors are reduced to their type, code and message.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: errorSummary } }, destination);
}

function errorSummary(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: unknown; message?: string; driverError?: { code?: unknown } };
  return { type: e?.name, code: e?.driverError?.code ?? e?.code, message: e?.message?.slice(0, 300) };
}
