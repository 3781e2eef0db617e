import type { BenchRequest } from './load';
import { clientAddress, Fixture } from './seed';

/**
 * The access-token scenarios: minting through the gateway, and a downstream service verifying tokens (see
 * bench/README.md). The gate sessions of the fixture stand in the tenant, so each mints an aal2 token for the
 * workspace that requires 2FA.
 */
export const MINT = 'mutation Mint($t: ID!, $w: ID) { mintAccessToken(tenantId: $t, workspaceId: $w) { token expiresAt } }';

export const minted = (status: number, body: string) => status === 200 && body.includes('"token":"ey') && !body.includes('"errors"');
export const notesServed = (status: number, body: string) => status === 200 && body.includes('"notes"');

/** mintAccessToken for the secure workspace, the gate sessions in turn, each from its own client address. */
export function mintRequests(fixture: Fixture): () => BenchRequest {
  let i = 0;
  const ips = fixture.gateTokens.map((_, n) => clientAddress(300_000 + n));
  return () => {
    const n = i++ % fixture.gateTokens.length;
    return {
      body: JSON.stringify({ query: MINT, variables: { t: fixture.tenantId, w: fixture.secureWorkspaceId } }),
      headers: { authorization: `Bearer ${fixture.gateTokens[n]}`, 'x-forwarded-for': ips[n] },
    };
  };
}

/** One access token per gate session, minted through the gateway at `url`. */
export async function mintTokens(url: string, fixture: Fixture): Promise<string[]> {
  const next = mintRequests(fixture);
  const tokens: string[] = [];
  for (let n = 0; n < fixture.gateTokens.length; n++) {
    const request = next();
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...request.headers }, body: request.body });
    const body = (await response.json()) as { data?: { mintAccessToken: { token: string } }; errors?: unknown };
    if (!body.data) throw new Error(`minting failed: ${JSON.stringify(body.errors)}`);
    tokens.push(body.data.mintAccessToken.token);
  }
  return tokens;
}

/** GET the guarded workspace's notes, each request with the next token (clients reuse their token until it expires). */
export function downstreamRequests(workspaceId: string, tokens: string[]): () => BenchRequest {
  let i = 0;
  return () => ({ method: 'GET', path: `/workspaces/${workspaceId}/notes`, body: '', headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } });
}
