import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

/** Who the provider's scripted login signs in, and what it says about them. */
export interface ScriptedLogin {
  sub: string;
  email: string;
  emailVerified?: boolean;
  name?: string;
  /** RFC 8176 values the id_token reports, e.g. ['pwd', 'otp']. Default ['pwd']. */
  amr?: string[];
  /** Show a login page with a button (the Chromium journey) instead of signing in at once. */
  interactive?: boolean;
}

/** Rewrites the id_token of the next token answers, re-signed with the provider's own key (refusal tests). */
export type IdTokenTamper = (claims: JWTPayload) => JWTPayload;

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The next sign-ins are this person. */
  script(login: ScriptedLogin): void;
  /** The next token answers carry an id_token changed this way (null: as the provider made it). */
  tamper(change: IdTokenTamper | null): void;
  /**
   * Follows the authorization URL through the provider's (scripted) login like a browser with no cookies yet,
   * and answers where the provider sends the browser back: the gateway's callback URL with `code` and `state`.
   */
  signInThrough(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider for the tests: oidc-provider (panva, OpenID Certified) on 127.0.0.1, with one client for
 * the gateway (client_secret_basic, PKCE required, the callback as its only redirect URI), its development
 * interactions off and a scripted login of our own in their place. Claims come from `script`; the id_token's
 * `amr` from the login. Email claims stay out of the id_token in the code flow (the provider's default, as many
 * providers do), so the gateway reads them from userinfo.
 */
export async function startIdentityProvider(options: { redirectUri: string; clientId?: string; clientSecret?: string }): Promise<TestIdentityProvider> {
  const clientId = options.clientId ?? 'tenant-2fa-gateway';
  const clientSecret = options.clientSecret ?? 'a client secret the test provider knows';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-provider-key', alg: 'RS256', use: 'sig' };
  let login: ScriptedLogin = { sub: 'nobody', email: 'nobody@nowhere.test' };
  let tamper: IdTokenTamper | null = null;
  const accounts = new Map<string, ScriptedLogin>();

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingJwk] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // amr rides in the id_token only as a claim of a scope asked for: with openid, as Keycloak and Entra ID send it.
    claims: { acr: null, amr: null, auth_time: null, iss: null, sid: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test provider cookie key'] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // Consent is not what these tests are about: every client gets the scopes it asks for.
    loadExistingGrant: async (ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) => {
      const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified ?? true, name: account.name ?? 'Provider Person' }),
      };
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('test identity provider:', error));
  const handle = provider.callback();

  const finishLogin = async (req: IncomingMessage, res: ServerResponse) => {
    accounts.set(login.sub, login);
    await provider.interactionFinished(req, res, { login: { accountId: login.sub, amr: login.amr ?? ['pwd'] } }, { mergeWithLastSubmission: false });
  };

  server.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
        if (req.method === 'POST' || !login.interactive) return finishLogin(req, res);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(
          `<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1><p>Signing in as ${login.email}</p>` +
            `<form method="post" action="/interaction/${details.uid}"><button type="submit">Sign in at the provider</button></form>`,
        );
      }
      if (url.pathname === '/token' && tamper) return tamperedToken(req, res);
      handle(req, res);
    })().catch((error) => {
      console.error('test identity provider:', error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  /** Lets the provider answer, then re-signs its id_token with the claims changed (same key, same kid). */
  const tamperedToken = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: unknown) => (chunks.push(Buffer.from(chunk as Buffer)), true)) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id_token?: string };
        if (body.id_token && tamper) body.id_token = await resign(tamper(decodeJwt(body.id_token)), privateKey);
        const text = JSON.stringify(body);
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(text));
        write(text);
        end();
      })();
      return res;
    }) as typeof res.end;
    handle(req, res);
  };

  return {
    issuer,
    clientId,
    clientSecret,
    script: (next) => void (login = next),
    tamper: (change) => void (tamper = change),
    async signInThrough(authorizationUrl) {
      const jar = new Map<string, string>();
      let next = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        if (!next.href.startsWith(issuer)) return next;
        const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const [name, ...value] = pair.split('=');
          jar.set(name.trim(), value.join('='));
        }
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${await response.text()}`);
        next = new URL(location, next);
      }
      throw new Error('too many redirects at the provider');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function resign(claims: JWTPayload, key: CryptoKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-provider-key', typ: 'JWT' }).sign(key);
}
