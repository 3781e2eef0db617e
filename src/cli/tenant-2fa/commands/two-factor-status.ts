import type { CliMyFactorsFragment, CliPasskeyFragment, CliTwoFactorStatusFragment, RecoveryCodeVisibility } from '../../../client/generated/graphql';
import { formatInstant, printFields, printLine, printTable } from '../output';

/** The 2FA status fields `auth status`, `totp confirm` and the admin commands print. */
export function printTwoFactorStatus(status: CliTwoFactorStatusFragment, heading: Array<[string, string]> = [], footer: Array<[string, string]> = []): void {
  printFields([
    ...heading,
    ['State', status.state],
    ['Enabled', status.enabled ? 'yes' : 'no'],
    ['Methods', status.methods.join(', ') || '-'],
    ['Recovery codes left', String(status.recoveryCodesRemaining)],
    ['Confirmed at', formatInstant(status.confirmedAt)],
    ...footer,
  ]);
}

/**
 * New recovery codes, with the warning the tenant's setting calls for: shown once (the default), or viewable
 * again with `recovery-codes view`.
 */
export function printRecoveryCodes(codes: string[], write: (line: string) => void, visibility: RecoveryCodeVisibility = 'SHOWN_ONCE'): void {
  write(
    visibility === 'VIEWABLE'
      ? 'Recovery codes (each works once; `tenant-2fa recovery-codes view` shows the unused ones again, but store them somewhere safe too):'
      : 'Recovery codes (each works once; they are shown only now, so store them somewhere safe, e.g. a password manager):',
  );
  write('');
  for (const code of codes) write(`  ${code}`);
  write('');
}

/** Your own status with your factors: the fields above, whether the app is set up, and the passkeys. */
export function printMyFactors(status: CliMyFactorsFragment, heading: Array<[string, string]> = [], footer: Array<[string, string]> = []): void {
  printTwoFactorStatus(status, heading, [['Authenticator app', status.totpEnabled ? 'yes' : 'no'], ['Passkeys', String(status.passkeys.length)], ...footer]);
  if (status.passkeys.length) {
    printLine();
    printPasskeys(status.passkeys);
  }
}

/** Name, id, added, last used, and whether it is synced (backed up) or lives on one device only. */
export function printPasskeys(passkeys: CliPasskeyFragment[]): void {
  printTable(passkeys, [
    { header: 'NAME', value: (p) => p.name },
    { header: 'ID', value: (p) => p.id },
    { header: 'CREATED', value: (p) => formatInstant(p.createdAt) },
    { header: 'LAST USED', value: (p) => formatInstant(p.lastUsedAt) },
    { header: 'KIND', value: (p) => (p.backedUp ? 'synced' : 'this device only') },
  ]);
}
