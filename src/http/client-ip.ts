import type { IncomingMessage } from 'node:http';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import proxyAddr from 'proxy-addr';

/**
 * The client's address for per-IP limits: the socket's peer, or, behind `trustedHops` reverse proxies, the
 * address that many hops back in X-Forwarded-For. Entries a client wrote itself further left are ignored.
 * Some proxies (cloud load balancers among them) write the client's port too: the address alone counts, so
 * each port of one client is not a fresh budget. A value that is no address (`unknown`, an RFC 7239 obfuscated
 * identifier, garbage) counts as the proxy itself, the socket's peer.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? '';
  if (trustedHops === 0) return peer;
  // proxy-addr walks from the socket's peer leftwards through X-Forwarded-For while `trust` says yes.
  return forwardedAddress(proxyAddr(req, (_address, hop) => hop < trustedHops)) ?? peer;
}

const IPV4_WITH_PORT = /^([\d.]+):(\d{1,5})$/;
const BRACKETED_IPV6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/;

/** The address in one X-Forwarded-For entry: `a.b.c.d`, `a.b.c.d:port`, an IPv6 address, `[v6]` or `[v6]:port`; else null. */
export function forwardedAddress(entry: string): string | null {
  const text = entry.trim();
  if (isIP(text)) return text;
  const v4 = IPV4_WITH_PORT.exec(text);
  if (v4 && isIPv4(v4[1]) && isPort(v4[2])) return v4[1];
  const v6 = BRACKETED_IPV6.exec(text);
  if (v6 && isIPv6(v6[1]) && (v6[2] === undefined || isPort(v6[2]))) return v6[1];
  return null;
}

function isPort(digits: string): boolean {
  return Number(digits) <= 65535;
}
