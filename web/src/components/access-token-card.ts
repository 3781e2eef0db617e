import { h, time, uid } from '../dom';

/** What each claim tells a service (RULES v3, docs/behaviour.md "Access tokens"). */
const MEANING: Record<string, string> = {
  iss: 'who signed it: this gateway',
  sub: 'you (your agent id)',
  aud: 'the service it is for',
  exp: 'no service accepts it after this',
  iat: 'when it was signed',
  jti: 'this token’s own id',
  sid: 'this sign-in session',
  tid: 'the tenant',
  wid: 'the workspace',
  role: 'your role in the tenant',
  email: 'your email',
  amr: 'how you signed in: pwd password, otp one-time code, hwk passkey, mfa two factors',
  acr: 'aal2 when this session passed the tenant’s second factor, else aal1',
  second_factor_at: 'when this session last passed it',
};
const INSTANTS = new Set(['exp', 'iat', 'second_factor_at']);

/**
 * "What services see": the claims of the access token this session hands to the services behind the gateway for
 * this workspace (`Access.accessToken`), each with what it tells them. Shows claims only, never the token.
 */
export function accessTokenCard(token: { expiresAt: string; claims: Record<string, unknown> }): HTMLElement {
  const titleId = uid('card-title');
  const value = (name: string, claim: unknown) => {
    if (INSTANTS.has(name) && typeof claim === 'number') return [h('code', null, String(claim)), ' (', time(new Date(claim * 1000).toISOString()), ')'];
    return h('code', null, Array.isArray(claim) ? claim.join(' ') : String(claim));
  };
  return h(
    'section',
    { class: 'card access-token-card', 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'card-header' },
      h(
        'div',
        null,
        h('h2', { id: titleId }, 'What services see'),
        h('p', { class: 'card-kicker' }, 'The services behind the gateway get a short-lived signed token for this workspace. It says:'),
      ),
    ),
    h(
      'div',
      { class: 'card-body' },
      h(
        'dl',
        { class: 'facts claims' },
        Object.entries(token.claims).map(([name, claim]) => [
          h('dt', null, h('code', null, name)),
          h('dd', null, value(name, claim), MEANING[name] ? h('span', { class: 'muted' }, ` — ${MEANING[name]}`) : null),
        ]),
      ),
      h('p', { class: 'hint' }, 'Valid until ', time(token.expiresAt), '. Services check its signature with the keys at ', h('code', null, '/.well-known/jwks.json'), '.'),
    ),
  );
}
