import { Field, ID, Int, ObjectType } from 'type-graphql';
import { RECOVERY_CODE_FORMATS } from '../crypto/recovery-codes';
import type { TenantEntity, WorkspaceEntity } from '../db/entities';
import {
  RECOVERY_CODE_VISIBILITIES,
  RecoveryCodeFormatName,
  RecoveryCodeVisibilityName,
  TENANT_ROLES,
  TenantRoleName,
  TWO_FACTOR_POLICIES,
  TwoFactorPolicyName,
} from '../db/entities/tenant.entity';
import { graphqlEnum } from '../graphql/enums';

export const TenantRole = graphqlEnum(TENANT_ROLES, { name: 'TenantRole' });
export type TenantRole = TenantRoleName;

export type TwoFactorPolicy = TwoFactorPolicyName;
export const TwoFactorPolicy = graphqlEnum(TWO_FACTOR_POLICIES, {
  name: 'TwoFactorPolicy',
  valuesConfig: {
    OPTIONAL: { description: 'Agents may enrol voluntarily; workspaces may still require it.' },
    REQUIRED_FOR_ADMINS: { description: 'OWNER and ADMIN must enrol before doing anything else in the tenant.' },
    REQUIRED_FOR_EVERYONE: { description: 'Every member must enrol before doing anything else in the tenant.' },
  },
});

export type RecoveryCodeFormat = RecoveryCodeFormatName;
export const RecoveryCodeFormat = graphqlEnum(RECOVERY_CODE_FORMATS, {
  name: 'RecoveryCodeFormat',
  valuesConfig: {
    XXXX_XXXX: { description: '8 codes like 7KQ2-M9XD (default).' },
    XXXXX_XXXXX: { description: '8 codes like 7KQ2M-9XDPA.' },
  },
});

export type RecoveryCodeVisibility = RecoveryCodeVisibilityName;
export const RecoveryCodeVisibility = graphqlEnum(RECOVERY_CODE_VISIBILITIES, {
  name: 'RecoveryCodeVisibility',
  valuesConfig: {
    SHOWN_ONCE: { description: 'Default: kept only as keyed hashes, shown on confirm/regenerate.' },
    VIEWABLE: { description: 'Also kept encrypted: viewRecoveryCodes shows the unused ones again (password re-checked).' },
  },
});

/** Field resolvers (viewerRole, workspaces, agents, auditLog) live in tenant.resolver.ts. */
@ObjectType()
export class Tenant {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'Shown as the issuer in authenticator apps.' }) issuer!: string;
  @Field() twoFactorEnabled!: boolean;
  @Field(() => TwoFactorPolicy) twoFactorPolicy!: TwoFactorPolicy;
  @Field(() => RecoveryCodeFormat) recoveryCodeFormat!: RecoveryCodeFormat;
  @Field(() => RecoveryCodeVisibility) recoveryCodeVisibility!: RecoveryCodeVisibility;
  @Field({ description: 'With VIEWABLE: a used recovery code is replaced by a fresh one, so the set stays at 8.' }) recoveryCodeReplenish!: boolean;
  @Field(() => Int, { description: 'v3. Days a device may be remembered after a passed challenge; 0 (the default) turns remembering off.' })
  rememberDeviceDays!: number;
  @Field(() => Int, { nullable: true, description: "v3. Seconds a passed challenge holds in a session before this tenant challenges again; null: the session's lifetime." })
  secondFactorLifetimeSeconds!: number | null;
}

/** Field resolver `tenant` lives in workspace.resolver.ts. */
@ObjectType()
export class Workspace {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() twoFactorRequired!: boolean;
  tenantId!: string;
}

export function toTenant(entity: TenantEntity): Tenant {
  return Object.assign(new Tenant(), {
    id: entity.id,
    name: entity.name,
    issuer: entity.issuer,
    twoFactorEnabled: entity.twoFactorEnabled,
    twoFactorPolicy: entity.twoFactorPolicy,
    recoveryCodeFormat: entity.recoveryCodeFormat,
    recoveryCodeVisibility: entity.recoveryCodeVisibility,
    recoveryCodeReplenish: entity.recoveryCodeReplenish,
    rememberDeviceDays: entity.rememberDeviceDays,
    secondFactorLifetimeSeconds: entity.secondFactorLifetimeSeconds,
  });
}

export function toWorkspace(entity: WorkspaceEntity): Workspace {
  return Object.assign(new Workspace(), {
    id: entity.id,
    name: entity.name,
    twoFactorRequired: entity.twoFactorRequired,
    tenantId: entity.tenantId,
  });
}
