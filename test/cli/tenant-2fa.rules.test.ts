import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { groupForTyping } from '../../src/cli/tenant-2fa/commands/totp.command';
import { ExitCode, exitCodeForErrorCode } from '../../src/cli/tenant-2fa/exit-codes';
import { shellArg } from '../../src/cli/tenant-2fa/next-steps';

/** The CLI's small pure rules: exit codes per contract error code, and text users copy back into a shell. */
describe('tenant-2fa rules', () => {
  it('maps contract error codes to the documented exit codes', () => {
    expect(exitCodeForErrorCode('UNAUTHENTICATED')).toBe(ExitCode.NOT_SIGNED_IN);
    expect(exitCodeForErrorCode('INVALID_CREDENTIALS')).toBe(ExitCode.NOT_SIGNED_IN);
    for (const code of ['TWO_FACTOR_REQUIRED', 'TWO_FACTOR_ENROLMENT_REQUIRED', 'INVALID_TWO_FACTOR_CODE', 'CHALLENGE_INVALIDATED']) {
      expect(exitCodeForErrorCode(code), code).toBe(ExitCode.SECOND_FACTOR);
    }
    expect(exitCodeForErrorCode('BAD_USER_INPUT')).toBe(ExitCode.USAGE);
    expect(exitCodeForErrorCode('SERVICE_UNAVAILABLE')).toBe(ExitCode.UNREACHABLE);
    for (const code of ['FORBIDDEN', 'NOT_FOUND', 'INVALID_PASSWORD', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR', undefined]) {
      expect(exitCodeForErrorCode(code), String(code)).toBe(ExitCode.FAILURE);
    }
  });

  it('quotes a tenant name in a suggested command so that a shell reads it back unchanged', () => {
    for (const name of ['Globex', 'Acme Support', 'Bob\'s "Tools" $HOME `x` \\ ok', 'ünïcode name']) {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shellArg(name)}`], { encoding: 'utf8' });
      expect(echoed).toBe(name);
    }
    expect(shellArg('01a22297-29b7-7141-8278-8cdea3c707a2')).toBe('01a22297-29b7-7141-8278-8cdea3c707a2');
  });

  it('groups a base32 secret in fours for typing', () => {
    expect(groupForTyping('P2DDS3JLSZJAELGOOGEYC22SNAZQE26K')).toBe('P2DD S3JL SZJA ELGO OGEY C22S NAZQ E26K');
    expect(groupForTyping('ABCDEF')).toBe('ABCD EF');
  });
});
