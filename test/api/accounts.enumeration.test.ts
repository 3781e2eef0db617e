// Threat: a stranger (requestPasswordReset) or a tenant admin (inviteTenantMember) learns which addresses have an
// account here, by the answer, by the statements the gateway runs, or by how long the answer takes.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InviteTenantMemberDocument, RequestPasswordResetDocument } from '../../src/client/generated/graphql';
import { startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { createTenant, PASSWORD, TestTenant, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';

/** Pairs of requests (one known address, one unknown) per try, taken in alternating order so drift hits both alike. */
const ROUNDS = 25;
/** The medians of the two may differ by at most this share (of the smaller). */
const TIME_TOLERANCE = 0.2;
/**
 * The machine running the tests is shared: a try whose medians differ may be the neighbours' doing. A real
 * difference shows in every try; the answers and statements are compared in every pair of every try.
 */
const TRIES = 3;

interface Measured {
  ms: number;
  statements: string[];
  answer: unknown;
}

describe.each(databaseKinds)('no account enumeration on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let tenant: TestTenant;
  const known: string[] = [];

  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind);
    t = gateway.t;
    tenant = await createTenant(t, { name: 'Enumeration Test' });
    // Accounts made on the server: no mail of their own to crowd the measurements.
    for (let i = 0; i < 2 * TRIES * (ROUNDS + 2); i++) {
      const email = uniqueEmail('known');
      await t.gateway.services.accounts.createAccount({ email, password: PASSWORD, name: `Known ${i}` }, { emailVerified: true });
      known.push(email);
    }
  });
  afterAll(() => gateway?.close());

  /**
   * The outbox sender delivers a message in the background, after the answer: each measurement starts once it is
   * idle, so that it times the request alone rather than the previous request's delivery.
   */
  async function outboxIdle(): Promise<void> {
    const pending = async () => Number((await t.gateway.db.manager.query("SELECT COUNT(*) AS n FROM mail_outbox WHERE state = 'PENDING'"))[0].n);
    while ((await pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async function measure(request: () => Promise<{ data?: unknown; errors?: unknown }>): Promise<Measured> {
    await outboxIdle();
    t.statements.reset();
    const started = performance.now();
    const result = await request();
    const ms = performance.now() - started;
    return { ms, statements: [...t.statements.statements], answer: result.errors ?? result.data };
  }

  /** Known and unknown addresses in alternating order; the same answers and statements each time, medians close. */
  async function compare(ask: (email: string) => Promise<{ data?: unknown; errors?: unknown }>): Promise<void> {
    const tries: string[] = [];
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const knownTimes: number[] = [];
      const unknownTimes: number[] = [];
      for (let round = -2; round < ROUNDS; round++) {
        const pair = [
          { email: known.shift()!, times: knownTimes },
          { email: uniqueEmail('unknown'), times: unknownTimes },
        ];
        if (round % 2) pair.reverse();
        const [first, second] = [await measure(() => ask(pair[0].email)), await measure(() => ask(pair[1].email))];
        expect(second.answer).toEqual(first.answer);
        expect(second.statements).toEqual(first.statements);
        if (round < 0) continue; // warming up
        pair[0].times.push(first.ms);
        pair[1].times.push(second.ms);
      }
      const [knownMedian, unknownMedian] = [median(knownTimes), median(unknownTimes)];
      tries.push(`${knownMedian.toFixed(2)} ms (known) vs ${unknownMedian.toFixed(2)} ms (unknown)`);
      if (Math.max(knownMedian, unknownMedian) <= Math.min(knownMedian, unknownMedian) * (1 + TIME_TOLERANCE)) return;
    }
    expect.fail(`the medians differ by more than ${TIME_TOLERANCE * 100} % in every try: ${tries.join('; ')}`);
  }

  it('requestPasswordReset answers the same, runs the same statements and takes about as long for an existing and an unknown address', async () => {
    await compare((email) => t.client.request(RequestPasswordResetDocument, { email }));
    // Only the existing addresses got a message.
    const recipients: Array<{ recipient: string }> = await t.gateway.db.manager.query("SELECT recipient FROM mail_outbox WHERE template = 'password-reset-link'");
    expect(recipients.length).toBeGreaterThanOrEqual(ROUNDS + 2);
    expect(recipients.every(({ recipient }) => recipient.startsWith('known-'))).toBe(true);
  });

  it('inviteTenantMember answers alike (but for the ids and times it made), with the same statements and about the same time', async () => {
    await compare(async (email) => {
      const result = await tenant.owner.client.request(InviteTenantMemberDocument, { tenantId: tenant.id, email, role: 'AGENT' });
      const invitation = result.data?.inviteTenantMember;
      // What may differ: the address itself, the new id and the instants.
      return { data: invitation && { role: invitation.role, tenant: invitation.tenant, invitedBy: invitation.invitedBy }, errors: result.errors };
    });
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
