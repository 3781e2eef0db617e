import type { IncomingMessage } from 'node:http';
import { secretsEqual } from '../crypto/tokens';

/** The request carries `Authorization: Bearer <secret>` (an operator's secret: METRICS_TOKEN, INTROSPECTION_TOKEN). */
export function hasBearerSecret(req: IncomingMessage, secret: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return secretsEqual(given, secret);
}
