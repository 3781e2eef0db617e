import { InitialSchema1795600000000 } from './1795600000000-InitialSchema';
import { AuthenticatorStateIndex1795700000000 } from './1795700000000-AuthenticatorStateIndex';
import { AuditMethodClientIp1795740000000 } from './1795740000000-AuditMethodClientIp';
import { RecoveryCodeVisibility1795740100000 } from './1795740100000-RecoveryCodeVisibility';

/** Every migration, oldest first. They only move forward and keep rows. */
export const migrations = [InitialSchema1795600000000, AuthenticatorStateIndex1795700000000, AuditMethodClientIp1795740000000, RecoveryCodeVisibility1795740100000];
