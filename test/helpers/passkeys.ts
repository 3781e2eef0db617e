import {
  BeginPasskeyAssertionDocument,
  BeginPasskeyRegistrationDocument,
  FinishPasskeyRegistrationDocument,
  VerifyPasskeyDocument,
} from '../../src/client/generated/graphql';
import type { TestAgent } from './fixtures';
import { SoftwareAuthenticator, AssertionSwitches } from './software-authenticator';

/** The origin the API tests' gateway accepts (WEBAUTHN_ORIGINS), as a browser on the console would send. */
export const TEST_ORIGIN = 'http://localhost:4000';
export const PASSKEY_ENV = { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: TEST_ORIGIN };

/** Registers a passkey of `authenticator` for the agent in the tenant, through both mutations. */
export async function addPasskey(agent: TestAgent, tenantId: string, authenticator: SoftwareAuthenticator, name = 'Laptop') {
  const { beginPasskeyRegistration } = await agent.client.ok(BeginPasskeyRegistrationDocument, { tenantId, password: agent.password });
  const credential = authenticator.register(beginPasskeyRegistration.options);
  const { finishPasskeyRegistration } = await agent.client.ok(FinishPasskeyRegistrationDocument, { tenantId, name, credential });
  return { ...finishPasskeyRegistration, credentialId: credential.id as string };
}

/** Asks for assertion options for the challenge and signs them (with any switches). */
export async function assertion(session: TestAgent, challengeId: string, authenticator: SoftwareAuthenticator, switches: AssertionSwitches = {}) {
  const { beginPasskeyAssertion } = await session.client.ok(BeginPasskeyAssertionDocument, { challengeId });
  return authenticator.assert(beginPasskeyAssertion.options, switches);
}

/** Answers the challenge with the authenticator's passkey; returns the request's result (data or errors). */
export async function answerWithPasskey(session: TestAgent, challengeId: string, authenticator: SoftwareAuthenticator, switches: AssertionSwitches = {}) {
  const credential = await assertion(session, challengeId, authenticator, switches);
  return session.client.request(VerifyPasskeyDocument, { challengeId, credential });
}
