import { CliEnterTenantDocument, CliSignOutDocument, CliUseRecoveryCodeDocument, CliVerifyTwoFactorDocument } from '../../client/generated/graphql';
import type { CliAccessFragment } from '../../client/generated/graphql';
import { signInThroughBrowser } from './browser-sign-in';
import { CliError, ExitCode } from './exit-codes';
import { GatewayClient, isGatewayError } from './gateway-client';
import { shellArg } from './next-steps';
import { formatInstant, note } from './output';
import { askLine, isInteractive } from './prompts';
import { readSettings } from './settings';

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
/** Typed at the code prompt: continue in the browser instead. */
const IN_BROWSER = /^b(rowser)?$/i;

/** How a challenge is answered; `reenter` asks the gateway again once the session was replaced in the browser. */
export interface ChallengeContext {
  /** A privileged action's max age: a pass handed over from the browser (DEVICE_APPROVAL) does not count, so the browser is not offered. */
  maxAgeSeconds?: number | null;
  /** Enter again (the same tenant or workspace) with the session approved in the browser; default: enterTenant. */
  reenter?: () => Promise<Answered>;
}

/**
 * Answers a TWO_FACTOR_CHALLENGE_REQUIRED access: with the code given on the command line (one try), else at a
 * prompt that takes an app code or a recovery code and asks again while the challenge has attempts left.
 */
export async function answerChallenge(client: GatewayClient, access: CliAccessFragment, given: GivenAnswer, tenantRef: string, context: ChallengeContext = {}): Promise<Answered> {
  const challenge = access.challenge;
  if (!challenge) throw new CliError('The gateway asked for a challenge but sent none.', ExitCode.FAILURE);
  const rememberDevice = Boolean(given.rememberDevice);
  if (rememberDevice && access.tenant.rememberDeviceDays === 0) note(`${access.tenant.name} does not remember devices: it will ask again at your next sign-in.`);
  const submit = async (answer: { totp: string } | { recovery: string }) => keepDevice(client, await submitAnswer(client, challenge.id, answer, rememberDevice));
  if (given.code !== undefined) return submit({ totp: given.code });
  if (given.recoveryCode !== undefined) return submit({ recovery: given.recoveryCode });

  const hasApp = challenge.methods.includes('TOTP');
  const passkeyOnly = !hasApp && challenge.methods.includes('PASSKEY');
  // A pass made in the browser reaches this session only as a device approval, which a privileged action does not take.
  const browserHelps = Boolean(client.sessions) && (context.maxAgeSeconds === null || context.maxAgeSeconds === undefined);
  if (!isInteractive()) {
    throw new CliError(`TWO_FACTOR_CHALLENGE_REQUIRED: ${access.tenant.name} asks for your second factor.`, ExitCode.SECOND_FACTOR, {
      code: 'TWO_FACTOR_CHALLENGE_REQUIRED',
      hint: passkeyOnly
        ? `Your second factor there is a passkey: run \`tenant-2fa login --web --tenant ${access.tenant.id}\` and pass it in the browser (or use --recovery-code CODE).`
        : `Run \`tenant-2fa enter ${shellArg(tenantRef)} --code CODE\` (or --recovery-code CODE).`,
    });
  }
  note(`${access.tenant.name} asks for your second factor (${challenge.attemptsRemaining} attempts, until ${formatInstant(challenge.expiresAt)}).`);
  // A passkey answers only in a browser: the console approves a sign-in of this terminal that holds the tenant's factor.
  if (passkeyOnly && browserHelps) {
    note('Your second factor there is a passkey, which a terminal cannot answer: continuing in the browser.');
    return continueInBrowser(client, access, context);
  }
  if (passkeyOnly) note('Passkeys work in a browser only (the web console): use a recovery code here.');
  const browserChoice = browserHelps ? ', or b to continue in the browser' : '';
  for (;;) {
    const typed = await askLine(hasApp ? `Code from your authenticator app (or a recovery code${browserChoice})` : `Recovery code${browserHelps ? ' (or b to continue in the browser)' : ''}`);
    if (typed === null) throw new CliError('No terminal to ask for the code.', ExitCode.SECOND_FACTOR);
    if (browserHelps && IN_BROWSER.test(typed.trim())) return continueInBrowser(client, access, context);
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

/**
 * Continue in the browser: a device sign-in asking for this tenant, approved in the console by a session that
 * passed its second factor (a passkey included). The approved session replaces this one (stored, and used by the
 * rest of the command), which is signed out; then the tenant (or workspace) is entered again. A browser signed in
 * as another agent is refused: the command was this agent's.
 */
async function continueInBrowser(client: GatewayClient, access: CliAccessFragment, context: ChallengeContext): Promise<Answered> {
  const keeper = client.sessions!;
  const approved = await signInThroughBrowser(client.anonymous(), { tenantId: access.tenant.id, openBrowser: readSettings().canOpenBrowser });
  if (approved.agent.id !== keeper.agentId) {
    await new GatewayClient(client.url, approved.token).request(CliSignOutDocument, {}).catch(() => undefined);
    throw new CliError(`The browser approved as ${approved.agent.email}, not as the agent signed in here: that session was signed out again.`, ExitCode.SECOND_FACTOR, {
      hint: 'Approve in a browser signed in to the console as yourself.',
    });
  }
  await client.request(CliSignOutDocument, {}).catch(() => undefined);
  keeper.replace(approved);
  client.useToken(approved.token);
  note(`Signed in again through the browser, holding ${access.tenant.name}'s second factor.`);
  if (context.reenter) return context.reenter();
  const data = await client.request(CliEnterTenantDocument, { tenantId: access.tenant.id, maxAgeSeconds: null }, access.tenant.id);
  return { access: data.enterTenant, data };
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
    const answered = await answerChallenge(client, access, {}, ref, { maxAgeSeconds });
    if (answered.access.status !== 'GRANTED') throw new CliError(`${answered.access.status}: access was not granted.`, ExitCode.SECOND_FACTOR, { code: answered.access.status });
  }
  return operation();
}
