import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { GatewayError } from './api';
import { explain } from './messages';

/**
 * The browser half of passkeys: @simplewebauthn/browser turns the gateway's options (JSON) into
 * navigator.credentials calls and the answers back into JSON. Errors become sentences a person understands.
 */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

export async function createPasskey(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyProblem(NOT_SUPPORTED);
  try {
    return (await startRegistration({ optionsJSON: options as never })) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new PasskeyProblem(browserProblem(error, 'registration'));
  }
}

export async function usePasskey(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!passkeysSupported()) throw new PasskeyProblem(NOT_SUPPORTED);
  try {
    return (await startAuthentication({ optionsJSON: options as never })) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new PasskeyProblem(browserProblem(error, 'authentication'));
  }
}

/** A passkey step that failed in the browser (cancelled, unsupported…), with what to tell the person. */
export class PasskeyProblem extends Error {}

const NOT_SUPPORTED = 'This browser does not support passkeys. Use another browser or device, or another method.';

/** What to tell the person when the browser step failed (exported for its unit test). */
export function browserProblem(error: unknown, ceremony: 'registration' | 'authentication'): string {
  const name = error instanceof WebAuthnError ? error.code : error instanceof Error ? error.name : '';
  if (name === 'ERROR_CEREMONY_ABORTED' || (error instanceof Error && error.name === 'NotAllowedError') || (error instanceof WebAuthnError && (error.cause as Error | undefined)?.name === 'NotAllowedError')) {
    return 'Cancelled: the passkey prompt was closed or timed out. Nothing was changed.';
  }
  if (name === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This passkey is already registered for this tenant.';
  if (name === 'ERROR_INVALID_DOMAIN' || name === 'ERROR_INVALID_RP_ID') return 'Passkeys are not set up for this address of the console. Ask your administrator.';
  if (error instanceof Error && /not supported|NotSupportedError/i.test(`${error.name} ${error.message}`)) return NOT_SUPPORTED;
  return ceremony === 'registration' ? 'The passkey could not be created. Try again.' : 'The passkey could not be used. Try again or use another method.';
}

/** The sentence for any failure of a passkey step, from the browser or from the gateway. */
export function explainPasskey(error: unknown): string {
  if (error instanceof PasskeyProblem) return error.message;
  if (error instanceof GatewayError && error.code === 'PASSKEY_REJECTED' && error.extensions.reason === 'ALREADY_REGISTERED') {
    return 'This passkey is already registered (here or in another tenant). Use another one.';
  }
  if (error instanceof GatewayError && error.code === 'PASSKEY_REJECTED') {
    return 'This passkey was not accepted here. It may belong to another tenant: each tenant has its own passkeys.';
  }
  return explain(error);
}
