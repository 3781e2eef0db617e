import { AccountTokenEntity } from './account-token.entity';
import { AgentEntity } from './agent.entity';
import { AuditEventEntity } from './audit-event.entity';
import { AuthenticatorEntity } from './authenticator.entity';
import { ChallengeEntity } from './challenge.entity';
import { DeviceSignInEntity } from './device-sign-in.entity';
import { IdentityProviderEntity } from './identity-provider.entity';
import { MailOutboxEntity } from './mail-outbox.entity';
import { MemberSearchGramEntity } from './member-search-gram.entity';
import { PasskeyEntity } from './passkey.entity';
import { RateLimitBucketEntity } from './rate-limit-bucket.entity';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { RememberedDeviceEntity } from './remembered-device.entity';
import { SessionEntity } from './session.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { TenantMemberCountEntity } from './tenant-member-count.entity';
import { TenantMembershipEntity } from './tenant-membership.entity';
import { TenantInvitationEntity } from './tenant-invitation.entity';
import { TenantStandingEntity } from './tenant-standing.entity';
import { TenantEntity } from './tenant.entity';
import { WorkspaceMembershipEntity } from './workspace-membership.entity';
import { WorkspaceEntity } from './workspace.entity';
import { WebAuthnChallengeEntity } from './webauthn-challenge.entity';

export {
  AccountTokenEntity,
  AgentEntity,
  AuditEventEntity,
  AuthenticatorEntity,
  ChallengeEntity,
  DeviceSignInEntity,
  IdentityProviderEntity,
  MailOutboxEntity,
  MemberSearchGramEntity,
  PasskeyEntity,
  RateLimitBucketEntity,
  RecoveryCodeEntity,
  RememberedDeviceEntity,
  SessionEntity,
  SigningKeyEntity,
  TenantEntity,
  TenantInvitationEntity,
  TenantMemberCountEntity,
  TenantMembershipEntity,
  TenantStandingEntity,
  WebAuthnChallengeEntity,
  WorkspaceEntity,
  WorkspaceMembershipEntity,
};

export const entities = [
  AccountTokenEntity,
  AgentEntity,
  AuditEventEntity,
  AuthenticatorEntity,
  ChallengeEntity,
  DeviceSignInEntity,
  IdentityProviderEntity,
  MailOutboxEntity,
  MemberSearchGramEntity,
  PasskeyEntity,
  RateLimitBucketEntity,
  RecoveryCodeEntity,
  RememberedDeviceEntity,
  SessionEntity,
  SigningKeyEntity,
  TenantEntity,
  TenantInvitationEntity,
  TenantMemberCountEntity,
  TenantMembershipEntity,
  TenantStandingEntity,
  WebAuthnChallengeEntity,
  WorkspaceEntity,
  WorkspaceMembershipEntity,
];
