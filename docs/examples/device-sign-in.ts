/*
 * The device sign-in example of docs/integrating.md (section 9), after the accounts': its `#region` appears
 * verbatim there, and test/docs/integrating.test.ts runs it against a real gateway.
 */
// #region device-sign-in
import { BeginDeviceSignInDocument, PollDeviceSignInDocument } from '../../src/client/generated/graphql';
import { GatewayError, request } from './integrating';

/**
 * A terminal or TV app signs in through a browser (RFC 8628 style): show the user code and the page, then poll
 * at the interval until the agent approves there. `tenantId`: the session should hold that tenant's second factor.
 */
export async function signInThroughBrowser(gateway: string, clientName: string, show: (page: string, userCode: string) => Promise<void> | void, tenantId?: string): Promise<string> {
  const { beginDeviceSignIn: begun } = await request(gateway, BeginDeviceSignInDocument, { clientName, tenantId });
  await show(begun.verificationUriComplete, begun.userCode);
  let intervalMs = begun.interval * 1000;
  for (;;) {
    try {
      const { pollDeviceSignIn } = await request(gateway, PollDeviceSignInDocument, { deviceCode: begun.deviceCode });
      return pollDeviceSignIn.token; // the first poll after approval only; later ones are INVALID_TOKEN
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      if (error.code === 'SLOW_DOWN') intervalMs += 5000; // RFC 8628 §3.5
      else if (error.code !== 'AUTHORIZATION_PENDING') throw error; // ACCESS_DENIED, INVALID_TOKEN (expired)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
// #endregion device-sign-in
