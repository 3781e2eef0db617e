import { CliEnterTenantDocument, CliUseRecoveryCodeDocument, CliVerifyTwoFactorDocument } from '../../client/generated/graphql';
import type { CliAccessFragment } from '../../client/generated/graphql';
import { CliError, ExitCode } from './exit-codes';
import { GatewayClient, isGatewayError } from './gateway-client';
import { shellArg } from './next-steps';
import { formatInstant, note } from './output';
import { askLine, isInteractive } from './prompts';

/** A code given on the command line: `--code` (authenticator app) or `--recovery-code`; and `--remember-device`. */
export interface GivenAnswer {
  code?: string;
  recoveryCode?: string;
  /** Ask the tenant to remember this device (where it allows it): its secret is kept beside the credentials. */
  rememberDevice?: boolean;
}

/** The access an answer led to, with the GraphQL data it came in (for `--json`). */
export interface Answered {
  access: CliAccessFragment;
  data: unknown;
}

/** Six digits, as apps show them (spaces allowed): anything else typed at the prompt is a recovery code. */
const TOTP_CODE = /^\d{6}$/;

/**
 * Answers a TWO_FACTOR_CHALLENGE_REQUIRED access: with the code given on the command line (one try), else at a
 * prompt that takes an app code or a recovery code and asks again while the challenge has attempts left.
 */
export async function answerChallenge(client: GatewayClient, access: CliAccessFragment, given: GivenAnswer, tenantRef: string): Promise<Answered> {
  const challenge = access.challenge;
  if (!challenge) throw new CliError('The gateway asked for a challenge but sent none.', ExitCode.FAILURE);
  const rememberDevice = Boolean(given.rememberDevice);
  if (rememberDevice && access.tenant.rememberDeviceDays === 0) note(`${access.tenant.name} does not remember devices: it will ask again at your next sign-in.`);
  const submit = async (answer: { totp: string } | { recovery: string }) => keepDevice(client, await submitAnswer(client, challenge.id, answer, rememberDevice));
  if (given.code !== undefined) return submit({ totp: given.code });
  if (given.recoveryCode !== undefined) return submit({ recovery: given.recoveryCode });

  if (!isInteractive()) {
    throw new CliError(`TWO_FACTOR_CHALLENGE_REQUIRED: ${access.tenant.name} asks for your second factor.`, ExitCode.SECOND_FACTOR, {
      code: 'TWO_FACTOR_CHALLENGE_REQUIRED',
      hint: `Run \`tenant-2fa enter ${shellArg(tenantRef)} --code CODE\` (or --recovery-code CODE).`,
    });
  }
  note(`${access.tenant.name} asks for your second factor (${challenge.attemptsRemaining} attempts, until ${formatInstant(challenge.expiresAt)}).`);
  // A passkey answers only in a browser (the web console); here the app's code or a recovery code.
  const hasApp = challenge.methods.includes('TOTP');
  if (!hasApp && challenge.methods.includes('PASSKEY')) note('Passkeys work in a browser only (the web console): use a recovery code here.');
  for (;;) {
    const typed = await askLine(hasApp ? 'Code from your authenticator app (or a recovery code)' : 'Recovery code');
    if (typed === null) throw new CliError('No terminal to ask for the code.', ExitCode.SECOND_FACTOR);
    const compact = typed.replace(/\s+/g, '');
    try {
      return await submit(TOTP_CODE.test(compact) ? { totp: compact } : { recovery: typed });
    } catch (error) {
      const attemptsRemaining = isGatewayError(error, 'INVALID_TWO_FACTOR_CODE') ? error.extensions.attemptsRemaining : undefined;
      if (typeof attemptsRemaining === 'number' && attemptsRemaining > 0) {
        note(`That code did not match: ${attemptsRemaining} attempt(s) left.`);
        continue;
      }
      if (isGatewayError(error, 'BAD_USER_INPUT')) {
        note('That is neither a 6-digit code nor a recovery code: try again.');
        continue;
      }
      throw error;
    }
  }
}

async function submitAnswer(client: GatewayClient, challengeId: string, answer: { totp: string } | { recovery: string }, rememberDevice: boolean): Promise<Answered> {
  if ('totp' in answer) {
    const data = await client.request(CliVerifyTwoFactorDocument, { challengeId, code: answer.totp, rememberDevice });
    return { access: data.verifyTwoFactor, data };
  }
  const data = await client.request(CliUseRecoveryCodeDocument, { challengeId, code: answer.recovery, rememberDevice });
  return { access: data.useRecoveryCode, data };
}

/** A device secret the answer brought (rememberDevice) goes beside the credentials, never on the screen. */
function keepDevice(client: GatewayClient, answered: Answered): Answered {
  const token = answered.access.rememberedDeviceToken;
  if (token) {
    client.devices?.keep(answered.access.tenant.id, token);
    answered.access.rememberedDeviceToken = null; // kept (0600), so `--json` does not print the secret
    const days = answered.access.tenant.rememberDeviceDays;
    note(`This device is remembered in ${answered.access.tenant.name} for ${days} day(s): it will not be asked for the second factor there until then.`);
  }
  return answered;
}

/** The error for an access that still needs enrolment. */
export function setupRequired(access: CliAccessFragment, tenantRef: string): CliError {
  return new CliError(`TWO_FACTOR_SETUP_REQUIRED: ${access.workspace?.name ?? access.tenant.name} requires two-factor, and you have not set it up in ${access.tenant.name}.`, ExitCode.SECOND_FACTOR, {
    code: 'TWO_FACTOR_SETUP_REQUIRED',
    hint: `Run \`tenant-2fa totp start --tenant ${shellArg(tenantRef)}\`, then \`tenant-2fa totp confirm --tenant ${shellArg(tenantRef)} --code CODE\`.`,
  });
}

/**
 * Runs a tenant-scoped operation behind the gate: when the gateway answers TWO_FACTOR_REQUIRED, enters the
 * tenant (a remembered device may vouch), answers its challenge at the prompt (as `enter` does), and runs the
 * operation once more. A privileged action refused for want of a recent pass (`maxAgeSeconds`) enters with that
 * max age, so the challenge comes even with standing: the person answers once and the action is done. `tenant`
 * null: an action that names no tenant, whose refusal names the tenants that would do (`tenantIds`).
 */
export async function behindGate<T>(client: GatewayClient, tenant: { id: string } | null, tenantRef: string | null, operation: () => Promise<T>): Promise<T> {
  let maxAgeSeconds: number | null = null;
  let tenantId = tenant?.id;
  try {
    return await operation();
  } catch (error) {
    if (!isGatewayError(error, 'TWO_FACTOR_REQUIRED') || !isInteractive()) throw error;
    if (typeof error.extensions.maxAgeSeconds === 'number') maxAgeSeconds = error.extensions.maxAgeSeconds;
    // An action that names no tenant (the password) says which of the agent's tenants would do: the first.
    const tenantIds = error.extensions.tenantIds;
    if (!tenantId && Array.isArray(tenantIds)) tenantId = String(tenantIds[0]);
    if (!tenantId) throw error;
  }
  if (maxAgeSeconds !== null) note(`This needs your second factor answered in the last ${maxAgeSeconds} s.`);
  const { enterTenant: access } = await client.request(CliEnterTenantDocument, { tenantId, maxAgeSeconds }, tenantId);
  const ref = tenantRef ?? access.tenant.name;
  if (access.status === 'TWO_FACTOR_SETUP_REQUIRED') throw setupRequired(access, ref);
  if (access.status === 'TWO_FACTOR_CHALLENGE_REQUIRED') {
    const answered = await answerChallenge(client, access, {}, ref);
    if (answered.access.status !== 'GRANTED') throw new CliError(`${answered.access.status}: access was not granted.`, ExitCode.SECOND_FACTOR, { code: answered.access.status });
  }
  return operation();
}
