/**
 * The pure rules of single sign-on (RULES v3, "Single sign-on"): no database, no HTTP, no openid-client.
 */

/** A start (beginSsoSignIn) must come back through the callback within 10 minutes. */
export const SSO_START_TTL_MS = 10 * 60_000;

/** The scopes asked of every provider: the id_token, and the address with its verification (OIDC Core §5.4). */
export const SSO_SCOPES = 'openid email profile';

/** Where a provider sends the browser back: PUBLIC_URL + this path. */
export const SSO_CALLBACK_PATH = '/sso/callback';

/** The console page a finished (or refused) SSO sign-in lands on before going on to `returnTo`. */
export const SSO_CONSOLE_PATH = '/sso';

export const RETURN_TO_MAX_LENGTH = 512;
export const ISSUER_MAX_LENGTH = 500;
export const CLIENT_ID_MAX_LENGTH = 255;
export const CLIENT_SECRET_MAX_LENGTH = 1000;
export const MAX_EMAIL_DOMAINS = 50;
export const DOMAIN_MAX_LENGTH = 253;

/**
 * RFC 8176 Authentication Method Reference values that show a second factor beside the password: `mfa` itself,
 * one-time codes (`otp`, `sms`, `tel`), keys held in hardware or software (`hwk`, `swk`) and smart cards (`sc`).
 * `pwd`, `pin`, `kba` and the biometric values alone do not.
 */
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'sms', 'tel', 'hwk', 'swk', 'sc']);

/** Whether the provider's `amr` claim shows a second factor (trustProviderMfa). Anything but a list of strings: no. */
export function showsSecondFactor(amr: unknown): boolean {
  return Array.isArray(amr) && amr.some((value) => typeof value === 'string' && SECOND_FACTOR_AMR.has(value));
}

/** The amr as recorded in the audit log: its string values only, bounded. */
export function amrForAudit(amr: unknown): string[] {
  return Array.isArray(amr) ? amr.filter((value): value is string => typeof value === 'string' && /^[\w.-]{1,32}$/.test(value)).slice(0, 10) : [];
}

/**
 * `returnTo` is a path of the console, never another site: it starts with one `/`, has no backslash (browsers
 * read `/\evil.example` as `//evil.example`), no control or space characters, and is not one of the gateway's
 * own endpoints. Answers the path, or null when it is not one.
 */
export function consolePath(value: string): string | null {
  if (value.length > RETURN_TO_MAX_LENGTH || !value.startsWith('/') || value.startsWith('//')) return null;
  if (/[\\\s\p{Cc}]/u.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, 'http://console.invalid');
  } catch {
    return null;
  }
  if (url.origin !== 'http://console.invalid') return null;
  if (/^\/(graphql|sso\/callback|healthz|metrics|oauth|\.well-known)(\/|$)/.test(url.pathname)) return null;
  return url.pathname + url.search + url.hash;
}

/**
 * What is wrong with an issuer, or null: an absolute https URL without query or fragment (OIDC Discovery §4
 * appends /.well-known/openid-configuration to it). `http://` only for a loopback address outside production.
 */
export function issuerProblem(issuer: string, isProduction: boolean): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'issuer must be an absolute URL such as https://idp.example.com/realms/acme';
  }
  if (url.search || url.hash || url.username || url.password) return 'issuer must have no query, fragment or credentials';
  if (url.protocol === 'https:') return null;
  const isLoopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && isLoopback && !isProduction) return null;
  return 'issuer must use https (http only for a loopback address outside production)';
}

/** A domain as stored: lower case, no trailing dot. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** A DNS name of at least two labels (RFC 1035 letters, digits and hyphens; punycode for the rest). */
export function isDomainName(domain: string): boolean {
  return domain.length <= DOMAIN_MAX_LENGTH && /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain);
}

/** The domain of a (normalised) address: what follows its last `@`. */
export function domainOf(email: string): string {
  return normalizeDomain(email.slice(email.lastIndexOf('@') + 1));
}
