import {
  ApproveDeviceSignInDocument,
  BeginSsoSignInDocument,
  DenyDeviceSignInDocument,
  DeviceSignInRequestDocument,
  type DeviceSignInRequestPartsFragment,
} from '../../../src/client/generated/graphql';
import { withRecentPass } from '../access';
import { call, VerificationCancelled } from '../api';
import { append, busy, field, formError, h, replace, time } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import { navigate } from '../nav';
import { app } from '../state';
import type { PageContext } from './page';
import { describeUserAgent } from '../../../src/client/user-agent';

/**
 * `/device` (and `/device?code=…`, the terminal's verificationUriComplete): a terminal asks to be signed in as the
 * signed-in agent (device sign-in). The page shows what asks (its name, address, device, when, and the tenant
 * whose second factor it wants) and the code, which the agent compares with the terminal's, then approves or
 * denies. Approving a request for a tenant asks for that tenant's second factor first (the dialog of privileged
 * actions, passkeys included) unless this session passed it in the last minutes.
 */
export async function devicePage(ctx: PageContext): Promise<void> {
  const code = ctx.query.get('code')?.trim();
  const container = h('div', { class: 'narrow device-page' }, pageHeading('Sign in a device', 'A terminal (the tenant-2fa CLI) asks to be signed in as you.'));
  append(ctx.main, [container]);
  if (!code) {
    container.append(codeForm());
    return;
  }
  let request: DeviceSignInRequestPartsFragment | null;
  try {
    request = (await call(DeviceSignInRequestDocument, { userCode: code })).deviceSignInRequest;
  } catch (failure) {
    container.append(h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure, { NOT_FOUND: 'This sign-in asks for the second factor of a tenant you are not a member of: it cannot be approved here.' })), codeForm(code));
    return;
  }
  if (!request) {
    container.append(
      h('p', { class: 'notice notice-error', role: 'alert' }, `No sign-in is waiting for the code ${code}: it is wrong, was used or decided already, or has expired (codes work for 10 minutes).`),
      codeForm(code),
    );
    return;
  }
  container.append(requestCard(request));
}

/**
 * `/device?code=…&sso=<tenant id>` (what `tenant-2fa login --sso` opens) in a browser without a session: straight
 * to that tenant's identity provider (beginSsoSignIn), which comes back to `/device?code=…` signed in, instead of
 * the password form. Anything else (no `sso`, no code, a start refused): false, and the sign-in page as usual.
 */
export async function signInThroughProviderFor(query: URLSearchParams): Promise<boolean> {
  const tenantId = query.get('sso')?.trim();
  const code = query.get('code')?.trim();
  if (!tenantId || !code) return false;
  try {
    const { beginSsoSignIn } = await call(BeginSsoSignInDocument, { tenantId, returnTo: `/device?${new URLSearchParams({ code })}` });
    location.assign(beginSsoSignIn.authorizationUrl);
    return true;
  } catch {
    return false;
  }
}

/** Where the code is typed when the page was opened without one. */
function codeForm(value = ''): HTMLElement {
  const input = field({
    label: 'Code shown in your terminal',
    name: 'user-code',
    autocomplete: 'off',
    maxlength: 64,
    spellcheck: false,
    autocapitalize: 'characters',
    placeholder: 'XXXX-XXXX',
    value,
    className: 'code-input',
  });
  const error = formError();
  const form = h('form', { class: 'stack card card-body', novalidate: true }, input.wrapper, error.element, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Continue')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const typed = input.input.value.trim();
    if (!typed) return error.show('Type the code your terminal shows, e.g. WDJB-MJHT.', input.input);
    navigate(`/device?${new URLSearchParams({ code: typed })}`);
  });
  return form;
}

function requestCard(request: DeviceSignInRequestPartsFragment): HTMLElement {
  const status = h('div', { role: 'status' });
  const facts: Array<[string, Node | string]> = [
    ['Asked by', request.clientName],
    ['From address', request.clientIp ?? 'Unknown address'],
    ['Device', request.userAgent ? describeUserAgent(request.userAgent) : 'Unknown device'],
    ['Asked at', time(request.createdAt)],
    ['Expires', time(request.expiresAt)],
  ];
  if (request.tenant) facts.push(['Tenant', request.tenant.name]);
  const approve = h('button', { type: 'button', class: 'button button-primary' }, 'Approve');
  const deny = h('button', { type: 'button', class: 'button button-danger' }, 'Deny');
  const actions = h('div', { class: 'actions' }, deny, approve);
  const card = h(
    'section',
    { class: 'card device-request', 'aria-labelledby': 'device-code' },
    h(
      'div',
      { class: 'card-body stack' },
      h('p', null, 'Check that your terminal shows this code:'),
      h('p', { class: 'device-code', id: 'device-code', 'data-user-code': request.userCode }, request.userCode),
      h('dl', { class: 'facts' }, facts.flatMap(([label, value]) => [h('dt', null, label), h('dd', null, value)])),
      h(
        'p',
        { class: 'notice notice-warning' },
        `Approve only if you started this sign-in yourself, from that address. Approving signs that terminal in as ${app.me?.email ?? 'you'}`,
        request.tenant ? `, holding your second factor in ${request.tenant.name} (you may be asked for it first).` : '.',
      ),
      status,
      actions,
    ),
  );

  const done = (text: string, tone: 'success' | 'info') => replace(actions, h('p', { class: `notice notice-${tone}` }, text));
  approve.addEventListener('click', () => {
    replace(status);
    void busy(card, () => withRecentPass(request.tenant?.id ?? null, () => call(ApproveDeviceSignInDocument, { userCode: request.userCode }))).then(
      () => done('Approved. Return to your terminal: it is signed in within a few seconds.', 'success'),
      (failure) => {
        if (failure instanceof VerificationCancelled) return replace(status, h('p', { class: 'notice notice-info' }, 'Not approved: the second factor was not answered. Approve again to answer it.'));
        replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure, { INVALID_TOKEN: 'This sign-in is no longer waiting: it was decided already or has expired.' })));
      },
    );
  });
  deny.addEventListener('click', () => {
    replace(status);
    void busy(card, () => call(DenyDeviceSignInDocument, { userCode: request.userCode })).then(
      () => done('Denied. The terminal is told so and is not signed in.', 'info'),
      (failure) => replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure, { INVALID_TOKEN: 'This sign-in is no longer waiting: it was decided already or has expired.' }))),
    );
  });
  return card;
}
