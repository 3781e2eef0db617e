import {
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  CreateTenantDocument,
  CreateWorkspaceDocument,
  SetTenantTwoFactorDocument,
  SetWorkspaceTwoFactorDocument,
  SignUpDocument,
  TenantRole,
} from '../../src/client/generated/graphql';
import { GraphQLClient } from './client';
import type { TestGateway } from './gateway';
import { totpCode } from './totp';

export const PASSWORD = 'correct horse battery staple';
let sequence = 0;

export function uniqueEmail(label = 'agent'): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${sequence++}@example.test`;
}

export interface TestAgent {
  id: string;
  email: string;
  password: string;
  token: string;
  client: GraphQLClient;
}

export async function signUp(t: TestGateway, label = 'agent'): Promise<TestAgent> {
  const email = uniqueEmail(label);
  const { signUp: session } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: label });
  return { id: session.agent.id, email, password: PASSWORD, token: session.token, client: t.client.withToken(session.token) };
}

export interface TestTenant {
  id: string;
  owner: TestAgent;
  /** A workspace that requires 2FA (when the tenant was made with `twoFactor`), and one that does not. */
  secureWorkspaceId: string;
  openWorkspaceId: string;
}

/** A tenant with its owner and two workspaces; with `twoFactor`, tenant 2FA on and the first workspace requiring it. */
export async function createTenant(t: TestGateway, options: { twoFactor?: boolean; name?: string } = {}): Promise<TestTenant> {
  const owner = await signUp(t, 'owner');
  const { createTenant: tenant } = await owner.client.ok(CreateTenantDocument, { name: options.name ?? 'Acme Support' });
  const secure = await owner.client.ok(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Billing' });
  const open = await owner.client.ok(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Lobby' });
  if (options.twoFactor) {
    await owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: secure.createWorkspace.id, required: true });
  }
  return { id: tenant.id, owner, secureWorkspaceId: secure.createWorkspace.id, openWorkspaceId: open.createWorkspace.id };
}

/** Adds an agent to the tenant (and to both its workspaces) through the owner. */
export async function addMember(tenant: TestTenant, agent: TestAgent, role: TenantRole = 'AGENT'): Promise<void> {
  await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: agent.email, role });
  for (const workspaceId of [tenant.secureWorkspaceId, tenant.openWorkspaceId]) {
    await tenant.owner.client.ok(AddWorkspaceMemberDocument, { workspaceId, agentId: agent.id });
  }
}

export interface Enrolment {
  secret: string;
  recoveryCodes: string[];
}

/**
 * Enrols the agent's authenticator in the tenant with a code computed independently of the gateway, then
 * moves the clock one step on so the next code is not a replay of the confirming one.
 */
export async function enrol(t: TestGateway, agent: TestAgent, tenantId: string): Promise<Enrolment> {
  const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId, password: agent.password });
  const code = totpCode(beginTotpEnrolment.secret, t.clock.epochMs);
  const { confirmTotpEnrolment } = await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId, code });
  t.clock.advance(30_000);
  return { secret: beginTotpEnrolment.secret, recoveryCodes: confirmTotpEnrolment.codes };
}

/** The current code of an enrolled secret at the gateway's clock. */
export function currentCode(t: TestGateway, secret: string, stepOffset = 0): string {
  return totpCode(secret, t.clock.epochMs, stepOffset);
}

/** A code that is not the secret's code for any step in the accepted window. */
export function wrongCode(t: TestGateway, secret: string): string {
  const valid = new Set([-1, 0, 1].map((offset) => currentCode(t, secret, offset)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}
