import { InitialSchema1795600000000 } from './1795600000000-InitialSchema';
import { AuthenticatorStateIndex1795700000000 } from './1795700000000-AuthenticatorStateIndex';
import { ReauthAndPendingEnrolment1795700100000 } from './1795700100000-ReauthAndPendingEnrolment';
import { SessionDetails1795710000000 } from './1795710000000-SessionDetails';
import { KeyIdIndexes1795720000000 } from './1795720000000-KeyIdIndexes';
import { RowLockVersion1795730000000 } from './1795730000000-RowLockVersion';
import { AuditMethodClientIp1795740000000 } from './1795740000000-AuditMethodClientIp';
import { RecoveryCodeVisibility1795740100000 } from './1795740100000-RecoveryCodeVisibility';
import { Passkeys1795750000000 } from './1795750000000-Passkeys';
import { MemberCountsAndSearch1795760000000 } from './1795760000000-MemberCountsAndSearch';
import { MemberSearchGrams1795770000000 } from './1795770000000-MemberSearchGrams';
import { ConsecutiveLocks1795800000000 } from './1795800000000-ConsecutiveLocks';
import { EmailExactMatch1795810000000 } from './1795810000000-EmailExactMatch';
import { CiphertextKeyIdIndex1795810100000 } from './1795810100000-CiphertextKeyIdIndex';
import { MailOutbox1795820000000 } from './1795820000000-MailOutbox';
import { AccountLifecycle1795825000000 } from './1795825000000-AccountLifecycle';
import { SigningKeys1795830000000 } from './1795830000000-SigningKeys';
import { StandingSource1795840000000 } from './1795840000000-StandingSource';
import { RememberedDevices1795840100000 } from './1795840100000-RememberedDevices';
import { DeviceSignIn1795850000000 } from './1795850000000-DeviceSignIn';
import { SingleSignOn1795860000000 } from './1795860000000-SingleSignOn';
import { MemberSearchGramCounts1795870000000 } from './1795870000000-MemberSearchGramCounts';

/** Every migration, oldest first. They only move forward and keep rows. */
export const migrations = [
  InitialSchema1795600000000,
  AuthenticatorStateIndex1795700000000,
  ReauthAndPendingEnrolment1795700100000,
  SessionDetails1795710000000,
  KeyIdIndexes1795720000000,
  RowLockVersion1795730000000,
  AuditMethodClientIp1795740000000,
  RecoveryCodeVisibility1795740100000,
  Passkeys1795750000000,
  MemberCountsAndSearch1795760000000,
  MemberSearchGrams1795770000000,
  ConsecutiveLocks1795800000000,
  EmailExactMatch1795810000000,
  CiphertextKeyIdIndex1795810100000,
  MailOutbox1795820000000,
  AccountLifecycle1795825000000,
  SigningKeys1795830000000,
  StandingSource1795840000000,
  RememberedDevices1795840100000,
  DeviceSignIn1795850000000,
  SingleSignOn1795860000000,
  MemberSearchGramCounts1795870000000,
];
