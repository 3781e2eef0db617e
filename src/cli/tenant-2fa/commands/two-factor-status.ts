import type { CliTwoFactorStatusFragment, RecoveryCodeVisibility } from '../../../client/generated/graphql';
import { formatInstant, printFields } from '../output';

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
