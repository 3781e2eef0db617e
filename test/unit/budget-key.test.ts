// Threat: one IPv6 client rotating through the 2^64 addresses of its /64 to get a fresh per-IP budget each time.
import { describe, expect, it } from 'vitest';
import { clientBudgetKey } from '../../src/rate-limits/budget-key';

describe('clientBudgetKey', () => {
  it('keeps an IPv4 address on its own', () => {
    expect(clientBudgetKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientBudgetKey('203.0.113.8')).toBe('203.0.113.8');
  });

  it('budgets an IPv6 address by its /64, however it is written', () => {
    const key = clientBudgetKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    expect(clientBudgetKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientBudgetKey('2001:0DB8:0001:0002:0000:0000:0000:0001')).toBe(key);
    expect(clientBudgetKey('2001:db8:1:2:a:b:1.2.3.4')).toBe(key);
    expect(clientBudgetKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientBudgetKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientBudgetKey('::1')).toBe('0:0:0:0::/64');
    expect(clientBudgetKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('keeps an IPv4-mapped IPv6 address per IPv4 address, as the same client over IPv4 would be', () => {
    expect(clientBudgetKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientBudgetKey('::FFFF:203.0.113.8')).toBe('203.0.113.8');
    expect(clientBudgetKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientBudgetKey('0:0:0:0:0:ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('passes anything else through unchanged (an empty or unknown peer address)', () => {
    expect(clientBudgetKey('')).toBe('');
    expect(clientBudgetKey('not an address')).toBe('not an address');
  });
});
