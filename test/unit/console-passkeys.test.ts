import { WebAuthnError } from '@simplewebauthn/browser';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../web/src/api';
import { browserProblem, createPasskey, explainPasskey, PasskeyProblem } from '../../web/src/passkeys';

describe('what the console says when a passkey step fails', () => {
  it('tells a cancelled prompt, a known authenticator and an unsupported browser apart', () => {
    const cancelled = Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' });
    expect(browserProblem(cancelled, 'authentication')).toMatch(/^Cancelled/);
    expect(browserProblem(new WebAuthnError({ message: 'aborted', code: 'ERROR_CEREMONY_ABORTED', cause: cancelled }), 'registration')).toMatch(/^Cancelled/);
    expect(browserProblem(new WebAuthnError({ message: 'known', code: 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED', cause: new Error() }), 'registration')).toMatch(/already registered/);
    expect(browserProblem(Object.assign(new Error('nope'), { name: 'NotSupportedError' }), 'registration')).toMatch(/does not support passkeys/);
  });

  it('refuses at once where the browser has no WebAuthn (here: Node)', async () => {
    await expect(createPasskey({})).rejects.toThrow(/does not support passkeys/);
  });

  it('words the gateway refusals: a passkey of another tenant, one already registered', () => {
    expect(explainPasskey(new GatewayError('PASSKEY_REJECTED', 'x', { attemptsRemaining: 4 }))).toMatch(/belong to another tenant/);
    expect(explainPasskey(new GatewayError('PASSKEY_REJECTED', 'x', { reason: 'ALREADY_REGISTERED' }))).toMatch(/already registered/);
    expect(explainPasskey(new PasskeyProblem('Cancelled.'))).toBe('Cancelled.');
    expect(explainPasskey(new GatewayError('INVALID_PASSWORD', 'x'))).toMatch(/Password did not match/);
  });
});
