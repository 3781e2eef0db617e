import type { Command } from 'commander';
import { CredentialStore, StoredSession } from './credentials';
import { CliError, ExitCode, usageError } from './exit-codes';
import { GatewayClient } from './gateway-client';
import type { ReportContext } from './next-steps';
import { note } from './output';
import { readSettings } from './settings';

/** Options every command takes. */
export interface CommonOptions {
  url?: string;
  json?: boolean;
  verbose?: boolean;
}

export function addCommonOptions(command: Command): Command {
  return command
    .option('--url <url>', "the gateway's GraphQL address (default: $GATEWAY_URL, else http://localhost:4000/graphql)")
    .option('--json', 'print exactly the GraphQL data, for scripts and jq')
    .option('-v, --verbose', "show each request's id, to find it in the gateway's logs");
}

/** What the error report needs to know about the command that failed. */
export const reportContext: ReportContext & { verbose: boolean } = { verbose: false };

export interface SignedIn {
  client: GatewayClient;
  session: StoredSession;
}

/** The gateway a command talks to, and the session stored for it. */
export class Runtime {
  readonly url: string;
  readonly store: CredentialStore;
  readonly json: boolean;
  /** A browser can be opened from here (settings.ts). */
  readonly canOpenBrowser: boolean;

  constructor(readonly options: CommonOptions) {
    const settings = readSettings();
    this.url = normaliseUrl(options.url ?? settings.gatewayUrl);
    this.store = new CredentialStore(settings.credentialsPath);
    this.json = Boolean(options.json);
    this.canOpenBrowser = settings.canOpenBrowser;
    reportContext.verbose = Boolean(options.verbose);
  }

  anonymous(): GatewayClient {
    return new GatewayClient(this.url, undefined, this.verboseLog());
  }

  /**
   * The stored session for this URL; exit code 3 without one, or when it has expired. With none stored, a
   * URL where no gateway answers (a mistyped --url) is reported as unreachable (exit 5), not as signed out.
   */
  async signedIn(): Promise<SignedIn> {
    const session = this.store.get(this.url);
    if (!session) {
      await this.anonymous().probe();
      throw new CliError(`Not signed in to ${this.url}.`, ExitCode.NOT_SIGNED_IN, { hint: `Run \`tenant-2fa login${this.urlFlag()}\`.` });
    }
    if (Date.parse(session.expiresAt) <= Date.now()) {
      throw new CliError(`Your session at ${this.url} expired at ${session.expiresAt}.`, ExitCode.NOT_SIGNED_IN, {
        hint: `Run \`tenant-2fa login${this.urlFlag()}\` again.`,
      });
    }
    return { session, client: this.clientFor(session) };
  }

  clientFor(session: StoredSession): GatewayClient {
    const devices = {
      tokenFor: (tenantId: string) => this.store.device(this.url, session.agentId, tenantId),
      keep: (tenantId: string, token: string) => this.store.saveDevice(this.url, tenantId, { agentId: session.agentId, token }),
      forget: (tenantId: string) => this.store.forgetDevice(this.url, tenantId),
    };
    const sessions = {
      agentId: session.agentId,
      replace: (next: { token: string; expiresAt: string; agent: { id: string; email: string } }) =>
        this.store.save(this.url, { token: next.token, agentId: next.agent.id, email: next.agent.email, expiresAt: next.expiresAt }),
    };
    return new GatewayClient(this.url, session.token, this.verboseLog(), devices, sessions);
  }

  /** ` --url …` when the command was given one, for the commands a message suggests. */
  urlFlag(): string {
    return this.options.url ? ` --url ${this.url}` : '';
  }

  private verboseLog(): (line: string) => void {
    return this.options.verbose ? (line) => note(`[verbose] ${line}`) : () => undefined;
  }
}

function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`Not a URL: ${raw}.`, 'Give the gateway\'s GraphQL address, e.g. --url http://localhost:4000/graphql.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`Not an http(s) URL: ${raw}.`);
  return url.toString();
}
