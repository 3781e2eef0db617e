import type { CliTwoFactorStatusFragment } from '../../../client/generated/graphql';
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

/** Recovery codes are shown once: print them with the warning that says so. */
export function printRecoveryCodes(codes: string[], write: (line: string) => void): void {
  write('Recovery codes (each works once; they are shown only now, so store them somewhere safe, e.g. a password manager):');
  write('');
  for (const code of codes) write(`  ${code}`);
  write('');
}
