import { ConsoleHomeDocument, MyTwoFactorDocument, SignOutDocument, type ConsoleHomeQuery } from '../../src/client/generated/graphql';
import { call, isGatewayError } from './api';
import { navigate } from './nav';
import { session } from './session';

export type Me = NonNullable<ConsoleHomeQuery['me']>;
export type ConsoleTenant = ConsoleHomeQuery['tenants'][number];
export type ConsoleWorkspace = ConsoleTenant['workspaces'][number];

/** Who is signed in and the tenants they belong to, loaded once per page load and refreshed on demand. */
export const app = {
  me: null as Me | null,
  tenants: [] as ConsoleTenant[],
};

/** Loads (or reloads) the signed-in agent and their tenants; false when the session is gone. */
export async function loadHome(): Promise<boolean> {
  const data = await call(ConsoleHomeDocument, {});
  if (!data.me) return false;
  app.me = data.me;
  app.tenants = data.tenants;
  return true;
}

export function forget(): void {
  app.me = null;
  app.tenants = [];
  session.clear();
}

/**
 * Whether the signed-in agent has turned two-factor on in the tenant. With tenant 2FA on, that makes every
 * workspace of the tenant ask for the second factor (once per session), not only those that require it.
 */
export async function hasTwoFactorIn(tenantId: string): Promise<boolean> {
  const { me } = await call(MyTwoFactorDocument, { tenantId });
  return Boolean(me?.twoFactor.enabled);
}

export function tenantById(id: string): ConsoleTenant | undefined {
  return app.tenants.find((tenant) => tenant.id === id);
}

export function isAdmin(tenant: Pick<ConsoleTenant, 'viewerRole'>): boolean {
  return tenant.viewerRole === 'OWNER' || tenant.viewerRole === 'ADMIN';
}

export function workspaceById(id: string): { tenant: ConsoleTenant; workspace: ConsoleWorkspace } | undefined {
  for (const tenant of app.tenants) {
    const workspace = tenant.workspaces.find((candidate) => candidate.id === id);
    if (workspace) return { tenant, workspace };
  }
  return undefined;
}

/** Ends the session at the gateway (best effort), forgets it here, and shows the sign-in page. */
export async function signOut(text = 'You are signed out.'): Promise<void> {
  try {
    if (session.token) await call(SignOutDocument, {});
  } catch {
    // Signing out of a session the gateway no longer knows is still signing out.
  }
  forget();
  navigate('/sign-in', { replace: true, flash: { text, tone: 'info' } });
}

/** A session the gateway no longer accepts: back to sign-in. True when it handled the error. */
export function handleSessionEnded(error: unknown): boolean {
  if (!isGatewayError(error, 'UNAUTHENTICATED')) return false;
  sessionEnded();
  return true;
}

/** Forgets the session and asks to sign in again, coming back to this page afterwards (sign-in's `next`). */
export function sessionEnded(): void {
  forget();
  const here = location.pathname + location.search;
  const next = ['/', '/sign-in', '/challenge'].includes(location.pathname) ? '' : `?${new URLSearchParams({ next: here })}`;
  navigate(`/sign-in${next}`, { replace: true, flash: { text: 'Your session has ended. Sign in again.', tone: 'info' } });
}
