import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

describe.each(databaseKinds)('concurrent sign-ins on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  // Regression: a success deletes the account's failure count; a sign-in racing that delete found no row to claim
  // after its insert collided, and was refused as if the account were locked. The window is narrow: this race
  // caught it under the load of the whole suite, not on every run alone.
  it('never refuses the right password of an unlocked account, with sign-ins racing over two gateways', async () => {
    const peer = await t.startPeer();
    try {
      const agent = await signUp(t, 'racer');
      const refused: string[] = [];
      for (let round = 0; round < 30; round++) {
        const answers = await Promise.all([t.client, peer.client, t.client, peer.client].map((client) => client.request(SignInDocument, { email: agent.email, password: agent.password })));
        refused.push(...answers.flatMap((answer) => (answer.errors ?? []).map((error) => String(error.extensions?.code))));
      }
      expect(refused).toEqual([]);
    } finally {
      await peer.close();
    }
  });
});
