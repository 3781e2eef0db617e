import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * The client's address for per-IP limits: the socket's peer, or, behind `trustedHops` reverse proxies, the
 * address that many hops back in X-Forwarded-For. Entries a client wrote itself further left are ignored.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  // proxy-addr walks from the socket's peer leftwards through X-Forwarded-For while `trust` says yes.
  return trustedHops > 0 ? proxyAddr(req, (_address, hop) => hop < trustedHops) : (req.socket.remoteAddress ?? '');
}
