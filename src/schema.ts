import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from './accounts/account.resolver';
import { SessionResolver } from './accounts/session.resolver';
import { AdminResolver } from './admin/admin.resolver';
import { AuditResolver } from './audit/audit.resolver';
import { DeviceSignInResolver } from './device-sign-in/device-sign-in.resolver';
import { validateArgument } from './graphql/argument-validation';
import { AgentInvitationsResolver, InvitationResolver, TenantInvitationsResolver } from './invitations/invitation.resolver';
import { RememberedDeviceResolver } from './remembered-devices/remembered-device.resolver';
import { SsoResolver } from './sso/sso.resolver';
import { TenantResolver } from './tenancy/tenant.resolver';
import { AccessTokenResolver } from './tokens/access-token.resolver';
import { WorkspaceResolver } from './tenancy/workspace.resolver';
import { AgentTwoFactorResolver } from './two-factor/agent-two-factor.resolver';
import { PasskeyResolver } from './two-factor/factors/passkey/passkey.resolver';
import { RecoveryCodeViewResolver } from './two-factor/factors/recovery-code/recovery-code-view.resolver';
import { TwoFactorResolver } from './two-factor/two-factor.resolver';

export const resolvers = [
  AccountResolver,
  SessionResolver,
  TenantResolver,
  WorkspaceResolver,
  TwoFactorResolver,
  AgentTwoFactorResolver,
  AdminResolver,
  AuditResolver,
  RecoveryCodeViewResolver,
  PasskeyResolver,
  AccessTokenResolver,
  InvitationResolver,
  TenantInvitationsResolver,
  AgentInvitationsResolver,
  RememberedDeviceResolver,
  DeviceSignInResolver,
  SsoResolver,
] as const;

/** The code-first schema. Arguments are validated by class-validator before any resolver runs. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
    validateFn: validateArgument,
  });
}

/** The SDL checked in as schema/schema.graphql (sorted, so it diffs well). */
export function schemaSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
