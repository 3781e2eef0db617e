import type { TwoFactorMethod } from '../../src/client/generated/graphql';

/**
 * What the console keeps between page loads, in sessionStorage (gone when the tab closes): the bearer token,
 * the open challenge, and where the agent is working. Nothing here outlives the browser session.
 */
const TOKEN_KEY = 'console.token';
const CHALLENGE_KEY = 'console.challenge';
const WORKSPACE_KEY = 'console.workspace';
const ACCEPTED_CODE_KEY = 'console.acceptedCode';
/**
 * Stands for the token when the session is the gateway's HttpOnly cookie (single sign-on ends in a redirect that
 * sets it; no script ever sees that token): requests then carry the cookie and no Authorization header.
 */
const COOKIE_SESSION = 'cookie';

/**
 * How long a just-accepted TOTP code still shows in the app or stays typed in: its own 30 s step plus the
 * step either side the gateway accepts (RFC 6238 drift window).
 */
const ACCEPTED_CODE_MEMORY_MS = 90_000;

/**
 * The last TOTP code this tab had accepted, so that typing it again can be told apart from a wrong code. It is
 * spent (the gateway refuses it and every earlier step for good), so keeping it for a minute and a half gives
 * nothing away; it outlives sign-out on purpose, since signing in again is when it gets re-entered.
 */
export interface AcceptedCode {
  tenantId: string;
  code: string;
  at: number;
}

export interface PendingChallenge {
  challengeId: string;
  tenantId: string;
  tenantName: string;
  workspaceId: string | null;
  workspaceName: string | null;
  /** Asked while the session already works in a workspace: a switch, not the end of signing in. */
  isSwitch: boolean;
  methods: TwoFactorMethod[];
  attemptsRemaining: number;
  expiresAt: string;
  /** Days the tenant lets a device skip its challenge after this one (0: it offers no "remember this device"). */
  rememberDeviceDays: number;
  /** Where to go once the challenge is passed (a path of this console). */
  returnTo: string;
}

export interface CurrentWorkspace {
  id: string;
  name: string;
  tenantId: string;
  tenantName: string;
}

function read<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  /** The bearer token to send, or null (no session, or the session is the cookie). */
  get bearer(): string | null {
    const token = this.token;
    return token === COOKIE_SESSION ? null : token;
  },
  signedIn(token: string): void {
    this.clear();
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  /** Signed in by the gateway's session cookie (single sign-on). */
  signedInByCookie(): void {
    this.signedIn(COOKIE_SESSION);
  },
  clear(): void {
    for (const key of [TOKEN_KEY, CHALLENGE_KEY, WORKSPACE_KEY]) sessionStorage.removeItem(key);
  },
  get challenge(): PendingChallenge | null {
    return read<PendingChallenge>(CHALLENGE_KEY);
  },
  set challenge(value: PendingChallenge | null) {
    write(CHALLENGE_KEY, value);
  },
  set acceptedCode(value: AcceptedCode | null) {
    write(ACCEPTED_CODE_KEY, value);
  },
  /** Whether `code` is the one this tab just had accepted in the tenant. */
  wasJustAccepted(tenantId: string, code: string): boolean {
    const accepted = read<AcceptedCode>(ACCEPTED_CODE_KEY);
    return accepted !== null && accepted.tenantId === tenantId && accepted.code === code && Date.now() - accepted.at < ACCEPTED_CODE_MEMORY_MS;
  },
  get workspace(): CurrentWorkspace | null {
    return read<CurrentWorkspace>(WORKSPACE_KEY);
  },
  set workspace(value: CurrentWorkspace | null) {
    write(WORKSPACE_KEY, value);
  },
};
