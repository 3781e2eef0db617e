import { InitialSchema1795600000000 } from './1795600000000-InitialSchema';
import { AuthenticatorStateIndex1795700000000 } from './1795700000000-AuthenticatorStateIndex';
import { KeyIdIndexes1795720000000 } from './1795720000000-KeyIdIndexes';

/** Every migration, oldest first. They only move forward and keep rows. */
export const migrations = [InitialSchema1795600000000, AuthenticatorStateIndex1795700000000, KeyIdIndexes1795720000000];
