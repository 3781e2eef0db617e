import { totpCode } from '../../test/helpers/totp';
import type { BenchRequest } from './load';
import { clientAddress, Fixture, PoolAgent } from './seed';

const STEP_MS = 30_000;
/** A code is only handed out if the server will still take it this long after it is sent. */
const SAFETY_MS = 3_000;

const gql = (query: string, variables: Record<string, unknown>, token?: string, ip?: string): BenchRequest => ({
  body: JSON.stringify({ query, variables }),
  headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(ip ? { 'x-forwarded-for': ip } : {}) },
});

export const VERIFY = 'mutation Verify($id: ID!, $code: String!) { verifyTwoFactor(challengeId: $id, code: $code) { status tenant { id } workspace { id } } }';
export const ENTER_WORKSPACE = 'mutation Enter($w: ID!) { enterWorkspace(workspaceId: $w) { status tenant { id } workspace { id } challenge { id } } }';
export const SIGN_IN = 'mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token expiresAt } }';
export const ADMIN_PAGE = `query AgentsWithout2FA($t: ID!, $first: Int, $after: String) {
  tenant(id: $t) {
    agents(first: $first, after: $after, filter: { twoFactorEnabled: false }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { role agent { id email name } twoFactor { state enabled methods recoveryCodesRemaining } lastSignIn { at usedTwoFactor } } }
    }
  }
}`;

/** The admin page's search box: a case-insensitive substring of email or name across the 10,000 members. */
export const ADMIN_SEARCH = `query AgentSearch($t: ID!, $first: Int, $q: String!) {
  tenant(id: $t) {
    agents(first: $first, filter: { search: $q }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { role agent { id email name } twoFactor { state enabled methods recoveryCodesRemaining } lastSignIn { at usedTwoFactor } } }
    }
  }
}`;

/** The admin listing in any shape: first or deep page, with or without the enrolment filter. */
export const ADMIN_LIST = `query AgentList($t: ID!, $first: Int, $after: String, $filter: TenantAgentFilter) {
  tenant(id: $t) {
    agents(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { role agent { id email name } twoFactor { state enabled methods recoveryCodesRemaining } lastSignIn { at usedTwoFactor } } }
    }
  }
}`;

/**
 * Valid codes, each answering a different open challenge, consecutive requests going to different agents
 * (round robin over the pool). The gateway refuses a time step once used and every earlier one, so an agent
 * can pass again only with a later step: the step of now first, then the next one (a phone whose clock runs
 * up to 30 s ahead, which the gateway accepts, ±1 step), and then only after the clock moves on. With
 * `allowPreviousStep` the step before now is used first (a phone running behind), when it is still safely valid.
 */
export class ValidCodeDispenser {
  private cursor = 0;
  private readonly lastStep: Array<number | null>;
  private readonly nextSession: number[];
  private readonly ips: string[];
  handedOut = 0;

  constructor(
    private readonly pool: PoolAgent[],
    private readonly allowPreviousStep = true,
  ) {
    this.lastStep = pool.map(() => null);
    this.nextSession = pool.map(() => 0);
    this.ips = pool.map((a) => clientAddress(a.index));
  }

  next(nowMs = Date.now()): { token: string; challengeId: string; code: string; ip: string } | null {
    const step = Math.floor(nowMs / STEP_MS);
    // The previous step stays valid while the server's step is at most step; keep a margin for the trip.
    const previousIsSafe = this.allowPreviousStep && nowMs + SAFETY_MS < (step + 1) * STEP_MS;
    for (let tried = 0; tried < this.pool.length; tried++) {
      const i = this.cursor;
      this.cursor = (this.cursor + 1) % this.pool.length;
      const agent = this.pool[i];
      if (this.nextSession[i] >= agent.sessions.length) continue;
      const last = this.lastStep[i] ?? -Infinity;
      const use = previousIsSafe && step - 1 > last ? step - 1 : step > last ? step : step + 1 > last ? step + 1 : null;
      if (use === null) continue;
      this.lastStep[i] = use;
      const session = agent.sessions[this.nextSession[i]++];
      this.handedOut++;
      return { token: session.token, challengeId: session.challengeId, code: totpCode(agent.secret, use * STEP_MS), ip: this.ips[i] };
    }
    return null;
  }

  request(): BenchRequest | null {
    const next = this.next();
    return next && gql(VERIFY, { id: next.challengeId, code: next.code }, next.token, next.ip);
  }

  /** Challenges still open and unanswered. */
  get remainingChallenges(): number {
    return this.pool.reduce((n, a, i) => n + a.sessions.length - this.nextSession[i], 0);
  }
}

/**
 * Wrong (well-formed, 6-digit) codes spread over the pool's challenges: one answer to every challenge, then a
 * second to every challenge, and so on up to `perChallenge` (≤ 4, so no challenge reaches its 5th failure and
 * is invalidated). With 2 challenges per agent an agent takes at most 8 consecutive failures, below the lock-out
 * at 10. Answers to the same challenge are a whole pool apart, so they do not race each other.
 */
export class WrongCodeDispenser {
  private round = 0;
  private position = 0;
  private readonly slots: Array<{ agent: PoolAgent; session: PoolAgent['sessions'][number]; ip: string }>;
  handedOut = 0;

  constructor(
    pool: PoolAgent[],
    private readonly perChallenge = 4,
  ) {
    if (perChallenge > 4) throw new Error('more than 4 wrong answers would invalidate challenges');
    const maxSessions = Math.max(0, ...pool.map((a) => a.sessions.length));
    this.slots = [];
    // Agent-major inside each session rank, so one agent's two challenges are half a pool apart too.
    for (let s = 0; s < maxSessions; s++) {
      for (const agent of pool) if (s < agent.sessions.length) this.slots.push({ agent, session: agent.sessions[s], ip: clientAddress(agent.index) });
    }
  }

  next(nowMs = Date.now()): { token: string; challengeId: string; code: string; ip: string } | null {
    if (this.position >= this.slots.length) {
      this.round++;
      this.position = 0;
    }
    if (this.round >= this.perChallenge || !this.slots.length) return null;
    const slot = this.slots[this.position++];
    this.handedOut++;
    return { token: slot.session.token, challengeId: slot.session.challengeId, code: wrongCode(slot.agent.secret, nowMs), ip: slot.ip };
  }

  request(): BenchRequest | null {
    const next = this.next();
    return next && gql(VERIFY, { id: next.challengeId, code: next.code }, next.token, next.ip);
  }
}

/** A 6-digit code that matches none of the steps the server accepts around now (±1, plus a margin). */
export function wrongCode(secret: string, nowMs: number): string {
  const step = Math.floor(nowMs / STEP_MS);
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(secret, (step + d) * STEP_MS)));
  let candidate = (Number(totpCode(secret, step * STEP_MS)) + 500_000) % 1_000_000;
  while (valid.has(String(candidate).padStart(6, '0'))) candidate = (candidate + 1) % 1_000_000;
  return String(candidate).padStart(6, '0');
}

export function gateRequests(fixture: Fixture): () => BenchRequest {
  let i = 0;
  const ips = fixture.gateTokens.map((_, n) => clientAddress(100_000 + n));
  return () => {
    const n = i++ % fixture.gateTokens.length;
    return gql(ENTER_WORKSPACE, { w: fixture.secureWorkspaceId }, fixture.gateTokens[n], ips[n]);
  };
}

export function adminPageRequest(fixture: Fixture, first = 100): BenchRequest {
  return gql(ADMIN_PAGE, { t: fixture.tenantId, first, after: fixture.deepCursor }, fixture.ownerToken, clientAddress(200_000));
}

/** A page of the listing: the first one or the one after the deep cursor, filtered to members without 2FA or not. */
export function adminListRequest(fixture: Fixture, shape: { deep: boolean; filtered: boolean; first?: number }): BenchRequest {
  const variables = {
    t: fixture.tenantId,
    first: shape.first ?? 100,
    ...(shape.deep ? { after: fixture.deepCursor } : {}),
    ...(shape.filtered ? { filter: { twoFactorEnabled: false } } : {}),
  };
  return gql(ADMIN_LIST, variables, fixture.ownerToken, clientAddress(200_000));
}

/** One answer to a challenge, as a pool agent's phone would send it. */
export function verifyRequest(token: string, challengeId: string, code: string, ip: string): BenchRequest {
  return gql(VERIFY, { id: challengeId, code }, token, ip);
}

/** "AGENT 12" matches Bench Agent 12, 120–129 and 1200–1299: 111 members, so a page of 50 has a next one. */
export function adminSearchRequest(fixture: Fixture, first = 50): BenchRequest {
  return gql(ADMIN_SEARCH, { t: fixture.tenantId, first, q: 'AGENT 12' }, fixture.ownerToken, clientAddress(250_000));
}

export function signInRequests(fixture: Fixture, password: string): () => BenchRequest {
  let i = 0;
  return () => {
    const n = i++ % fixture.signInEmails.length;
    return gql(SIGN_IN, { email: fixture.signInEmails[n], password }, undefined, clientAddress(300_000 + n));
  };
}

/** Expected answers, checked on every response. */
export const expect = {
  granted: (status: number, body: string) => status === 200 && body.includes('"status":"GRANTED"') && !body.includes('"errors"'),
  invalidCode: (status: number, body: string) => status === 200 && body.includes('"code":"INVALID_TWO_FACTOR_CODE"'),
  adminPage: (status: number, body: string) => status === 200 && body.includes('"totalCount"') && body.includes('"hasNextPage":true') && !body.includes('"errors"'),
  signedIn: (status: number, body: string) => status === 200 && body.includes('"token":"') && !body.includes('"errors"'),
};
