import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where the request being served came from, for the audit log. The gateway enters it once, where an HTTP
 * request reaches GraphQL (server.ts); recordAudit reads it. Every event written while serving that request,
 * from any service, records the address without each service and call passing it along. Work outside a request
 * (migrations, the CLI, the demo seed) has no origin: its events record null.
 */
interface RequestOrigin {
  clientIp: string;
}

const origin = new AsyncLocalStorage<RequestOrigin>();

/** The audit column's width: an IPv6 address in text (an IPv4 tail included) fits; a zone id may not. */
const CLIENT_IP_MAX_LENGTH = 45;

export function withRequestOrigin<T>(clientIp: string, work: () => T): T {
  return origin.run({ clientIp: clientIp.slice(0, CLIENT_IP_MAX_LENGTH) }, work);
}

export function currentClientIp(): string | null {
  return origin.getStore()?.clientIp ?? null;
}
