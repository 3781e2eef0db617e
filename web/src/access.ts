import { ConsoleEnterWorkspaceDocument, EnterTenantDocument, type EnterTenantMutation } from '../../src/client/generated/graphql';
import { call, isGatewayError, VerificationCancelled } from './api';
import { freshPassDialog } from './components/fresh-pass-dialog';
import { navigate, type Flash } from './nav';
import { session } from './session';
import { tenantById } from './state';

type Access = EnterTenantMutation['enterTenant'];

/**
 * Acts on what enterTenant / enterWorkspace answered: true when GRANTED (the caller carries on); otherwise it
 * has sent the agent to the challenge or the setup page, which come back to `returnTo` once done.
 */
export function followAccess(access: Access, returnTo: string, flash?: Flash): boolean {
  if (access.status === 'GRANTED') {
    session.challenge = null;
    return true;
  }
  if (access.status === 'TWO_FACTOR_CHALLENGE_REQUIRED' && access.challenge) {
    session.challenge = {
      challengeId: access.challenge.id,
      tenantId: access.tenant.id,
      tenantName: access.tenant.name,
      workspaceId: access.workspace?.id ?? null,
      workspaceName: access.workspace?.name ?? null,
      isSwitch: session.workspace !== null,
      methods: access.challenge.methods,
      attemptsRemaining: access.challenge.attemptsRemaining,
      expiresAt: access.challenge.expiresAt,
      rememberDeviceDays: access.tenant.rememberDeviceDays,
      returnTo,
    };
    navigate('/challenge', { replace: true, flash });
    return false;
  }
  const query = new URLSearchParams({ then: returnTo });
  navigate(`/setup/${encodeURIComponent(access.tenant.id)}?${query}`, { replace: true, flash });
  return false;
}

/** Puts the session in the tenant (for the admin console and gated profile actions), via the challenge if asked. */
export async function requireTenantStanding(tenantId: string, returnTo: string, flash?: Flash): Promise<boolean> {
  const { enterTenant } = await call(EnterTenantDocument, { tenantId });
  return followAccess(enterTenant, returnTo, flash);
}

/** Enters a workspace; when GRANTED, the answer holds the access token services would get (its claims shown on the page). */
export async function enterWorkspace(workspaceId: string, returnTo: string) {
  const { enterWorkspace: access } = await call(ConsoleEnterWorkspaceDocument, { workspaceId });
  return { ...access, granted: followAccess(access, returnTo) };
}

/**
 * A tenant-scoped call refused by the gate: TWO_FACTOR_REQUIRED goes through the challenge,
 * TWO_FACTOR_ENROLMENT_REQUIRED to the setup page; both come back to `returnTo`. True when it handled the error.
 */
export async function handleGateError(error: unknown, tenantId: string, returnTo: string): Promise<boolean> {
  if (error instanceof VerificationCancelled) return false;
  if (isGatewayError(error, 'TWO_FACTOR_REQUIRED')) {
    const granted = await requireTenantStanding(tenantId, returnTo, { text: 'Verify with your second factor to continue.', tone: 'info' });
    if (granted) navigate(returnTo, { replace: true });
    return true;
  }
  if (isGatewayError(error, 'TWO_FACTOR_ENROLMENT_REQUIRED')) {
    const name = tenantById(tenantId)?.name;
    const query = new URLSearchParams({ then: returnTo });
    navigate(`/setup/${encodeURIComponent(tenantId)}?${query}`, {
      replace: true,
      flash: { text: name ? `${name} requires two-factor authentication.` : 'This tenant requires two-factor authentication.', tone: 'warning' },
    });
    return true;
  }
  return false;
}

/**
 * Runs a privileged action (weakening 2FA, viewing recovery codes, ...). When the gateway refuses it for want of
 * a recent pass (TWO_FACTOR_REQUIRED with `maxAgeSeconds`), the second factor is asked on this page
 * (freshPassDialog: enterTenant with that max age, then the answer) and the action runs once more, so the
 * agent answers once and the action is done. Any other refusal, and a second one, go to the caller.
 */
export async function withRecentPass<T>(tenantId: string | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (failure) {
    const maxAgeSeconds = isGatewayError(failure, 'TWO_FACTOR_REQUIRED') ? Number(failure.extensions.maxAgeSeconds) : NaN;
    if (!Number.isFinite(maxAgeSeconds)) throw failure;
    // An action that names no tenant (the password) says which of the agent's tenants would do.
    const tenantIds = (failure as { extensions: { tenantIds?: unknown } }).extensions.tenantIds;
    const askIn = Array.isArray(tenantIds) && tenantIds.length && !tenantIds.includes(tenantId) ? String(tenantIds[0]) : tenantId;
    if (!askIn) throw failure;
    if (!(await freshPassDialog(askIn, tenantById(askIn)?.name ?? 'this tenant', maxAgeSeconds))) throw new VerificationCancelled();
    return work();
  }
}
