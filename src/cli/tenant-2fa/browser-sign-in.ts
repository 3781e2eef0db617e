import { hostname } from 'node:os';
import { CliBeginDeviceSignInDocument, CliPollDeviceSignInDocument } from '../../client/generated/graphql';
import type { CliPollDeviceSignInMutation } from '../../client/generated/graphql';
import { CliError, ExitCode } from './exit-codes';
import { GatewayClient, isGatewayError } from './gateway-client';
import { note } from './output';

/** The session a browser approved, as the gateway answered the poll. */
export type ApprovedSession = CliPollDeviceSignInMutation['pollDeviceSignIn'];

export interface BrowserSignInOptions {
  /** The tenant whose second factor the new session should hold (the approving browser must have passed it). */
  tenantId?: string | null;
  /** Open the page in the default browser (the `open` package); false only prints it. */
  openBrowser: boolean;
  /**
   * Single sign-on (`login --sso`): the tenant whose identity provider serves the agent's address. The page given
   * is the console's /device page with `sso=<tenant id>`, which a browser without a session answers by starting
   * that provider's sign-in (then comes back to the request); the request is for this tenant's second factor.
   */
  sso?: { id: string; name: string } | null;
}

/** How the session is named in `sessions list` and the console's Sessions card. */
export function clientName(): string {
  return `tenant-2fa on ${hostname() || 'this computer'}`.slice(0, 200);
}

/**
 * Device sign-in (RFC 8628 style): asks the gateway for a user code, shows it with the console's page (and opens
 * that page where it can), and polls at the interval the gateway gave until a browser approves or denies, or the
 * code expires. Denied, expired or used: exit code 3, as any failed sign-in. What it prints goes to stderr, so
 * `--json` output stays the command's own.
 */
export async function signInThroughBrowser(anonymous: GatewayClient, options: BrowserSignInOptions): Promise<ApprovedSession> {
  const tenantId = options.sso?.id ?? options.tenantId ?? null;
  const again = options.sso ? 'tenant-2fa login --sso' : 'tenant-2fa login --web';
  const { beginDeviceSignIn: begun } = await anonymous.request(CliBeginDeviceSignInDocument, { clientName: clientName(), tenantId });
  let page = begun.verificationUriComplete;
  if (options.sso) {
    const url = new URL(begun.verificationUriComplete);
    url.searchParams.set('sso', options.sso.id);
    page = url.toString();
    note(`To sign in through ${options.sso.name}'s identity provider, open ${page} in a browser,`);
    note(`then confirm that the console shows the code ${begun.userCode} and approve.`);
  } else {
    note(`To sign in, open ${begun.verificationUri} in a browser where you are signed in to the console,`);
    note(`and confirm that it shows the code ${begun.userCode}  (or open ${page})`);
  }
  if (tenantId) note('The page asks for your second factor in that tenant first, unless you passed it there in the last minutes.');
  if (options.openBrowser) await openInBrowser(page);
  note(`Waiting for the browser (until ${new Date(begun.expiresAt).toLocaleTimeString()})…`);

  let intervalMs = begun.interval * 1000;
  for (;;) {
    await sleep(intervalMs);
    try {
      const { pollDeviceSignIn } = await anonymous.request(CliPollDeviceSignInDocument, { deviceCode: begun.deviceCode });
      return pollDeviceSignIn;
    } catch (error) {
      if (isGatewayError(error, 'AUTHORIZATION_PENDING')) continue;
      // RFC 8628 §3.5: slow down by 5 seconds for this and every later poll.
      if (isGatewayError(error, 'SLOW_DOWN')) {
        intervalMs += 5000;
        continue;
      }
      if (isGatewayError(error, 'ACCESS_DENIED')) {
        throw new CliError('The sign-in was denied in the browser.', ExitCode.NOT_SIGNED_IN, { code: 'ACCESS_DENIED', hint: `Run \`${again}\` again to start over.` });
      }
      if (isGatewayError(error, 'INVALID_TOKEN')) {
        throw new CliError('The code expired before a browser approved it.', ExitCode.NOT_SIGNED_IN, { code: 'INVALID_TOKEN', hint: `Run \`${again}\` again for a new code.` });
      }
      throw error;
    }
  }
}

/**
 * Opens the page with the system's opener (xdg-open, open, start). Where none works (a server without a desktop),
 * the printed address is the way: the failure is only noted.
 */
export async function openInBrowser(url: string): Promise<void> {
  try {
    // `open` is an ES module, loaded only here (require of ES modules, Node ≥ 20.19).
    const { default: open } = await import('open');
    const child = await open(url);
    child.once('error', () => note('Could not open a browser here: open the address above yourself.'));
    child.unref();
  } catch {
    note('Could not open a browser here: open the address above yourself.');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
