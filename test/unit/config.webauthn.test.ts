import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

// MAIL_DELIVERY: production wants SMTP_URL or an explicit choice; mail is not what these tests are about.
const base = () => ({ MAIL_DELIVERY: 'off', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gateway-config-')), ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` });

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('passkey settings', () => {
  it('default to the RP id localhost and the gateway own origin', () => {
    expect(loadConfig(base()).webauthn).toEqual({ rpId: 'localhost', origins: ['http://localhost:4000'] });
    expect(loadConfig({ ...base(), PORT: '8080' }).webauthn.origins).toEqual(['http://localhost:8080']);
  });

  it('take an RP id and a list of origins on it or its subdomains', () => {
    const config = loadConfig({ ...base(), WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.com, https://console.example.com:8443' });
    expect(config.webauthn).toEqual({ rpId: 'example.com', origins: ['https://example.com', 'https://console.example.com:8443'] });
  });

  it('refuse an RP id with a scheme or port, and origins that are not origins or not on the RP id', () => {
    expect(problemsOf({ ...base(), WEBAUTHN_RP_ID: 'https://example.com' }).join()).toMatch(/WEBAUTHN_RP_ID must be a lower-case domain/);
    expect(problemsOf({ ...base(), WEBAUTHN_ORIGINS: 'http://localhost:4000/console' }).join()).toMatch(/is not an origin/);
    expect(problemsOf({ ...base(), WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evil-example.com' }).join()).toMatch(/is not on WEBAUTHN_RP_ID/);
  });

  it('in production refuse an origin that is not https, except localhost', () => {
    const production = { ...base(), NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', METRICS_TOKEN: 'x'.repeat(32) };
    expect(problemsOf({ ...production, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://console.example.com' }).join()).toMatch(/must use https in production/);
    expect(problemsOf({ ...production, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://console.example.com' })).toEqual([]);
    expect(problemsOf({ ...production, WEBAUTHN_ORIGINS: 'http://localhost:4000' })).toEqual([]);
    expect(problemsOf({ ...base(), WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'http://console.example.com' })).toEqual([]);
  });
});
