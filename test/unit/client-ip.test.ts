import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientIp, forwardedAddress } from '../../src/http/client-ip';

const request = (forwardedFor: string | undefined, socket = '10.0.0.2') =>
  ({ headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: socket } }) as unknown as IncomingMessage;

describe('forwardedAddress', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['203.0.113.9:4711', '203.0.113.9'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['::ffff:203.0.113.9', '::ffff:203.0.113.9'],
    ['[::ffff:203.0.113.9]:80', '::ffff:203.0.113.9'],
  ])('reads %s as %s', (value, address) => {
    expect(forwardedAddress(value)).toBe(address);
  });

  it.each(['unknown', '_hidden', '', 'garbage', '203.0.113.9:', '203.0.113.9:port', '203.0.113.9:99999', '256.1.1.1:80', '[2001:db8::1', '2001:db8::1]:443', '[203.0.113.9]:80', '2001:db8::1:443:x', 'a.b.c.d:1'])(
    'finds no address in %j',
    (value) => {
      expect(forwardedAddress(value)).toBeNull();
    },
  );
});

describe('clientIp', () => {
  it('is the socket peer without trusted proxies, whatever X-Forwarded-For says', () => {
    expect(clientIp(request('203.0.113.9:4711'), 0)).toBe('10.0.0.2');
  });

  it('takes the address one trusted hop back, without its port', () => {
    expect(clientIp(request('192.0.2.1, 203.0.113.9:4711'), 1)).toBe('203.0.113.9');
    expect(clientIp(request('192.0.2.1:1, [2001:db8::7]:443'), 1)).toBe('2001:db8::7');
    expect(clientIp(request('192.0.2.1:1, 198.51.100.4:2, 10.0.0.1'), 2)).toBe('198.51.100.4');
  });

  it('falls back to the socket peer when the forwarded value is no address', () => {
    expect(clientIp(request('unknown'), 1)).toBe('10.0.0.2');
    expect(clientIp(request('192.0.2.1, garbage:80'), 1)).toBe('10.0.0.2');
  });

  it('takes the leftmost entry when there are fewer than the trusted hops, as proxy-addr walks', () => {
    expect(clientIp(request('203.0.113.9:4711'), 3)).toBe('203.0.113.9');
    expect(clientIp(request(undefined), 1)).toBe('10.0.0.2');
  });
});
