import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { CliError, ExitCode, exitCodeForErrorCode } from './exit-codes';

const REQUEST_TIMEOUT_MS = 30_000;

/** Names this client in the gateway's session list (`sessions list`, the console's devices). */
const USER_AGENT = `tenant-2fa (Node.js ${process.version})`;

/** An error the gateway answered with: the contract's code, its client-safe message and extensions. */
export class GatewayError extends CliError {
  constructor(
    message: string,
    code: string | undefined,
    readonly extensions: Record<string, unknown>,
    requestId: string | undefined,
  ) {
    super(message, exitCodeForErrorCode(code), { code, requestId });
    this.name = 'GatewayError';
  }
}

export function isGatewayError(error: unknown, ...codes: string[]): error is GatewayError {
  return error instanceof GatewayError && (codes.length === 0 || codes.includes(error.code ?? ''));
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** The remembered-device secrets of the signed-in agent, kept beside the credentials (credentials.ts). */
export interface DeviceKeeper {
  tokenFor(tenantId: string): string | undefined;
  keep(tenantId: string, token: string): void;
  forget(tenantId: string): void;
}

/**
 * The stored session of the signed-in agent, which a sign-in through the browser replaces when a challenge is
 * answered there (the new session holds the tenant's second factor; the old one is signed out).
 */
export interface SessionKeeper {
  agentId: string;
  replace(session: { token: string; expiresAt: string; agent: { id: string; email: string } }): void;
}

/** The header a remembered device's secret travels in (a CLI keeps no cookies). */
const DEVICE_HEADER = 'x-remembered-device';

/**
 * The gateway's public GraphQL API over HTTP, with the typed documents codegen makes from cli.graphql.
 * A POST with `content-type: application/json` (the gateway's CSRF prevention refuses other simple requests).
 */
export class GatewayClient {
  constructor(
    readonly url: string,
    private token: string | undefined,
    private readonly log: (line: string) => void = () => undefined,
    readonly devices: DeviceKeeper | null = null,
    readonly sessions: SessionKeeper | null = null,
  ) {}

  /** The same gateway without a session (device sign-in begins and polls without one). */
  anonymous(): GatewayClient {
    return new GatewayClient(this.url, undefined, this.log);
  }

  /** Later requests go with this session's token (a sign-in through the browser replaced the session). */
  useToken(token: string): void {
    this.token = token;
  }

  /**
   * The data of a request; a GraphQL error becomes a GatewayError, a failed connection exit code 5. `asDeviceOf`:
   * present this device's secret for that tenant (entering it, listing its devices).
   */
  async request<T, V>(document: TypedDocumentNode<T, V>, variables: V, asDeviceOf?: string): Promise<T> {
    // Only graphql's printer, and only once a request is made: all of graphql would cost every start-up.
    const { print } = await import('graphql/language/printer');
    const device = asDeviceOf ? this.devices?.tokenFor(asDeviceOf) : undefined;
    return this.send<T>(operationName(document), print(document), variables, device ? { [DEVICE_HEADER]: device } : {});
  }

  /** Answers when a GraphQL endpoint answers at the URL; exit code 5 (as any request) when none does. */
  async probe(): Promise<void> {
    await this.send('Probe', 'query Probe { __typename }', {});
  }

  private async send<T>(name: string, query: string, variables: unknown, headers: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': USER_AGENT,
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw new CliError(`No gateway answers at ${this.url} (${describeFetchFailure(error)}).`, ExitCode.UNREACHABLE, {
        hint: 'Check that the gateway is running, or pass --url (or set GATEWAY_URL) to point at it.',
      });
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    this.log(`${name}: HTTP ${response.status}, request id ${requestId ?? '(none)'}`);

    if (response.status === 404 || response.status === 405) {
      throw new CliError(`No GraphQL endpoint at ${this.url} (HTTP ${response.status}).`, ExitCode.UNREACHABLE, {
        hint: 'Pass the gateway\'s GraphQL address, e.g. --url http://localhost:4000/graphql.',
        requestId,
      });
    }
    let body: GraphQLBody<T>;
    try {
      body = (await response.json()) as GraphQLBody<T>;
    } catch {
      throw new CliError(`${this.url} answered HTTP ${response.status} without a GraphQL response.`, ExitCode.UNREACHABLE, {
        hint: 'Is this the gateway\'s /graphql address? Pass --url http://HOST:PORT/graphql.',
        requestId,
      });
    }
    const first = body.errors?.[0];
    if (first) {
      const extensions = first.extensions ?? {};
      const code = typeof extensions.code === 'string' ? extensions.code : undefined;
      throw new GatewayError(first.message, code, extensions, requestId);
    }
    if (!body.data) throw new CliError(`${this.url} answered HTTP ${response.status} without data.`, ExitCode.FAILURE, { requestId });
    return body.data;
  }
}

function operationName(document: DocumentNode): string {
  const definition = document.definitions.find((d) => d.kind === 'OperationDefinition');
  return (definition && 'name' in definition && definition.name?.value) || 'request';
}

function describeFetchFailure(error: unknown): string {
  if ((error as Error)?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? 'connection failed';
}
