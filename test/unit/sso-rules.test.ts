import { describe, expect, it } from 'vitest';
import { amrForAudit, consolePath, domainOf, isDomainName, issuerProblem, normalizeDomain, showsSecondFactor } from '../../src/sso/sso-rules';

describe('single sign-on rules', () => {
  it.each([
    ['/', '/'],
    ['/workspaces/01a2', '/workspaces/01a2'],
    ['/admin/x?tab=sso#card', '/admin/x?tab=sso#card'],
    ['/a/../b', '/b'],
  ])('returnTo %s is the console path %s', (given, path) => {
    expect(consolePath(given)).toBe(path);
  });

  it.each(['https://evil.test/', '//evil.test', '/\\evil.test', 'javascript:alert(1)', 'workspaces', '', '/ spaced', '/tab\there', '/graphql', '/sso/callback?code=x', '/metrics', '/.well-known/jwks.json', `/${'a'.repeat(512)}`])(
    'returnTo %j is refused',
    (given) => {
      expect(consolePath(given)).toBeNull();
    },
  );

  it('an issuer is https, or http on a loopback address outside production, without query, fragment or credentials', () => {
    expect(issuerProblem('https://idp.example.com/realms/acme', true)).toBeNull();
    expect(issuerProblem('http://127.0.0.1:8080', false)).toBeNull();
    expect(issuerProblem('http://localhost:8080', false)).toBeNull();
    expect(issuerProblem('http://127.0.0.1:8080', true)).toMatch(/https/);
    expect(issuerProblem('http://idp.example.com', false)).toMatch(/https/);
    expect(issuerProblem('https://idp.example.com/?realm=a', false)).toMatch(/query/);
    expect(issuerProblem('https://user:pw@idp.example.com', false)).toMatch(/credentials/);
    expect(issuerProblem('ftp://idp.example.com', false)).toMatch(/https/);
    expect(issuerProblem('not a url', false)).toMatch(/absolute URL/);
  });

  it('an amr shows a second factor with mfa, a one-time code, a key or a smart card; not with a password, a PIN or a biometric alone', () => {
    for (const amr of [['pwd', 'otp'], ['mfa'], ['hwk'], ['swk', 'pwd'], ['sms'], ['tel'], ['sc']]) expect(showsSecondFactor(amr), amr.join()).toBe(true);
    for (const amr of [['pwd'], ['pin'], ['kba'], ['fpt'], ['face'], [], 'mfa', null, undefined, [1, 2], { mfa: true }]) expect(showsSecondFactor(amr), JSON.stringify(amr)).toBe(false);
  });

  it('the amr recorded keeps short method names only', () => {
    expect(amrForAudit(['pwd', 'otp', 42, 'x'.repeat(33), 'evil"quote'])).toEqual(['pwd', 'otp']);
    expect(amrForAudit('mfa')).toEqual([]);
  });

  it('domains: lower case without a trailing dot, two labels at least, an address split at its last @', () => {
    expect(normalizeDomain(' Acme.Example. ')).toBe('acme.example');
    expect(isDomainName('acme.example')).toBe(true);
    expect(isDomainName('support.acme.example')).toBe(true);
    for (const bad of ['localhost', 'acme..example', '-acme.example', 'acme.example-', "acme.example' OR '1'='1", 'a b.example']) expect(isDomainName(bad), bad).toBe(false);
    expect(domainOf('"odd@name"@Acme.Example')).toBe('acme.example');
  });
});
