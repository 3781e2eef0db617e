import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

// MAIL_DELIVERY: production wants SMTP_URL or an explicit choice; mail is not what these tests are about.
const base = () => ({ MAIL_DELIVERY: 'off', ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gateway-config-')) });

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('configuration of the per-agent budget and /metrics', () => {
  it('budgets 60 tenant changes per agent and hour by default; 0 turns the budget off', () => {
    expect(loadConfig(base()).rateLimits.tenantChangesPerHour).toBe(60);
    expect(loadConfig({ ...base(), RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '0' }).rateLimits.tenantChangesPerHour).toBe(0);
    expect(problemsOf({ ...base(), RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '-1' }).join()).toMatch(/RATE_LIMIT_TENANT_CHANGES_PER_HOUR must be an integer/);
  });

  it('budgets 10 re-authentications per client IP and per agent and minute by default; 0 turns the budget off', () => {
    expect(loadConfig(base()).rateLimits.reauthPerMinute).toBe(10);
    expect(loadConfig({ ...base(), RATE_LIMIT_REAUTH_PER_MINUTE: '0' }).rateLimits.reauthPerMinute).toBe(0);
    expect(problemsOf({ ...base(), RATE_LIMIT_REAUTH_PER_MINUTE: 'x' }).join()).toMatch(/RATE_LIMIT_REAUTH_PER_MINUTE must be an integer/);
  });

  it('takes METRICS_TOKEN when it is long enough to resist guessing, and none by default', () => {
    expect(loadConfig(base()).metricsToken).toBeNull();
    expect(loadConfig({ ...base(), METRICS_TOKEN: 'x'.repeat(32) }).metricsToken).toBe('x'.repeat(32));
    expect(problemsOf({ ...base(), METRICS_TOKEN: 'short' }).join()).toMatch(/METRICS_TOKEN must be at least 16 characters/);
    expect(loadConfig({ ...base(), NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' }).warnings.join()).toMatch(/METRICS_TOKEN is not set: \/metrics is off/);
    expect(loadConfig({ ...base(), NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', METRICS_TOKEN: 'x'.repeat(32) }).warnings).toEqual([]);
  });
});
