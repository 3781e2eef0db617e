import {
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  DisableTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  RemoveTotpAuthenticatorDocument,
  type BeginTotpEnrolmentMutation,
  type TwoFactorStatusPartsFragment,
} from '../../../src/client/generated/graphql';
import { handleGateError } from '../access';
import { call, isGatewayError } from '../api';
import { busy, copyText, focus, formatDate, formatDateTime, formError, field, h, replace, uid } from '../dom';
import { badge } from '../layout';
import { explain, STATE_BADGES } from '../messages';
import type { Tone } from '../nav';
import { session } from '../session';
import { handleSessionEnded } from '../state';
import { confirmDialog } from './confirm-dialog';
import { recoveryCodesPanel } from './recovery-codes';
import { showRecoveryCodesSection } from './show-recovery-codes';

type Enrolment = BeginTotpEnrolmentMutation['beginTotpEnrolment'];
type View = 'status' | 'begin' | 'pending' | 'codes' | 'regenerate';

export interface TwoFactorCardOptions {
  tenant: { id: string; name: string; twoFactorEnabled: boolean; recoveryCodeVisibility?: string };
  /** With `totpEnabled` (and passkeys), when the page read them: a pair may be enabled by passkeys alone. */
  status: TwoFactorStatusPartsFragment & { totpEnabled?: boolean; passkeys?: unknown[] };
  /** Open the password step at once (the setup page). */
  startEnrolment?: boolean;
  /** Where to go once the codes are saved (the setup page: the workspace that asked). */
  continueTo?: { href: string; label: string };
  /** This page, to come back to after a challenge that a gated action (regenerate, disable) asked for. */
  returnTo: string;
  /** Called once the setup is confirmed (the setup page drops its "required" warning). */
  onEnabled?: () => void;
}

/**
 * The "Authenticator app (TOTP)" card of one tenant, with the badge of its state (Not configured / Pending
 * confirmation / Enabled) and the steps each state offers: enable (password → QR and secret → 6-digit code),
 * the recovery codes shown once, regenerate them, disable.
 */
export function twoFactorCard(options: TwoFactorCardOptions): HTMLElement {
  const { tenant } = options;
  let status = options.status;
  let totpOn = options.status.totpEnabled ?? options.status.state === 'ENABLED';
  const hasPasskeys = () => status.methods.includes('PASSKEY');
  let view: View = options.startEnrolment && status.state !== 'ENABLED' && tenant.twoFactorEnabled ? 'begin' : 'status';
  let enrolment: Enrolment | null = null;
  let codes: string[] = [];

  const titleId = uid('card-title');
  const badgeSlot = h('div', { class: 'card-badge' });
  const notice = h('div', { class: 'card-notice', role: 'status' });
  const body = h('div', { class: 'card-body' });
  const card = h(
    'section',
    { class: 'card two-factor-card', 'aria-labelledby': titleId, 'data-tenant-id': tenant.id },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, tenant.name), h('p', { class: 'card-kicker' }, 'Authenticator app (TOTP)')), badgeSlot),
    notice,
    body,
  );

  const setNotice = (text: string | null, tone: Tone = 'success') => {
    notice.className = text ? `card-notice notice-${tone}` : 'card-notice';
    replace(notice, text ? h('p', null, text) : null);
  };

  /** A gateway error that belongs to no form: the session ended, or the gate wants the second factor first. */
  const handledElsewhere = async (error: unknown): Promise<boolean> =>
    handleSessionEnded(error) || (await handleGateError(error, tenant.id, options.returnTo));

  function render(focusOn?: HTMLElement | 'first-input'): void {
    const shown = view === 'pending' ? 'PENDING_CONFIRMATION' : status.state;
    const { label, tone } = STATE_BADGES[shown];
    replace(badgeSlot, badge(label, tone));
    let content: HTMLElement;
    switch (view) {
      case 'begin':
        content = beginForm();
        break;
      case 'pending':
        content = pendingSteps();
        break;
      case 'codes':
        content = codesView();
        break;
      case 'regenerate':
        content = regenerateForm();
        break;
      default:
        content = statusView();
    }
    replace(body, content);
    if (focusOn === 'first-input') focus(body.querySelector<HTMLElement>('input'));
    else if (focusOn) focus(focusOn);
  }

  function statusView(): HTMLElement {
    if (status.state === 'ENABLED' && !totpOn && tenant.twoFactorEnabled) {
      const add = h('button', { type: 'button', class: 'button button-secondary', onclick: () => ((view = 'begin'), setNotice(null), render('first-input')) }, 'Add an authenticator app');
      return h('div', null, h('p', null, 'Two-factor is on with your passkeys. You can add an authenticator app as another way to verify.'), h('div', { class: 'actions' }, add), enabledView());
    }
    if (status.state === 'ENABLED') return enabledView();
    if (!tenant.twoFactorEnabled) {
      return h(
        'div',
        null,
        h('p', null, `Two-factor authentication is turned off for ${tenant.name}, so there is nothing to set up here. An owner or admin can turn it on.`),
      );
    }
    const start = h('button', { type: 'button', class: 'button button-primary', onclick: () => ((view = 'begin'), setNotice(null), render('first-input')) }, 'Enable two-factor');
    return h(
      'div',
      null,
      status.state === 'PENDING_CONFIRMATION'
        ? h('p', null, 'Setup was started but not confirmed, so two-factor is not active yet. The QR code is shown only once: start again to get a fresh one.')
        : h(
            'p',
            null,
            `Add a second sign-in step to ${tenant.name}: a 6-digit code from an authenticator app on your phone (Google Authenticator, Authy, 1Password or any TOTP app). Even if your password leaks, nobody gets in without it.`,
          ),
      h('div', { class: 'actions' }, start),
    );
  }

  function enabledView(): HTMLElement {
    const remaining = status.recoveryCodesRemaining;
    const details = h(
      'dl',
      { class: 'facts' },
      status.confirmedAt ? [h('dt', null, 'Enabled since'), h('dd', null, h('time', { datetime: status.confirmedAt }, formatDate(status.confirmedAt)))] : null,
      h('dt', null, 'Recovery codes left'),
      h('dd', { class: remaining <= 2 ? 'low' : undefined }, remaining === 0 ? 'None: regenerate a new set' : String(remaining)),
    );
    const regenerate = h(
      'button',
      { type: 'button', class: 'button button-secondary', onclick: () => ((view = 'regenerate'), setNotice(null), render('first-input')) },
      'Regenerate recovery codes',
    );
    return h(
      'div',
      null,
      details,
      tenant.twoFactorEnabled
        ? null
        : h('p', { class: 'note' }, `${tenant.name} has turned two-factor off for now. Your authenticator is kept and counts again when it is turned back on.`),
      h('div', { class: 'actions' }, regenerate),
      tenant.recoveryCodeVisibility === 'VIEWABLE' ? showRecoveryCodesSection({ tenantId: tenant.id, tenantName: tenant.name, handledElsewhere }) : null,
      totpOn && hasPasskeys() ? removeTotpSection() : null,
      disableSection(),
    );
  }

  function beginForm(): HTMLElement {
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password', hint: 'Confirm it is you before a new authenticator is linked to your account.' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      password.wrapper,
      error.element,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Continue'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => ((view = 'status'), render()) }, 'Cancel'),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      try {
        const { beginTotpEnrolment } = await busy(form, () => call(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: password.input.value }));
        enrolment = beginTotpEnrolment;
        status = { ...status, state: 'PENDING_CONFIRMATION' };
        view = 'pending';
        render();
        focus(body.querySelector<HTMLElement>('h3'));
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        if (isGatewayError(failure, 'ALREADY_ENROLLED')) {
          status = { ...status, state: 'ENABLED', enabled: true };
          view = 'status';
          setNotice(explain(failure), 'info');
          return render();
        }
        error.show(explain(failure), isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined);
      }
    });
    return form;
  }

  function pendingSteps(): HTMLElement {
    const current = enrolment!;
    const secretGroups = current.secret.match(/.{1,4}/g)?.join(' ') ?? current.secret;
    const copyStatus = h('span', { class: 'copy-status', role: 'status' });
    const code = field({
      label: '6-digit code',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9 ]{6,7}',
      maxlength: 7,
      hint: 'The code changes every 30 seconds. If it is rejected, wait for the next one.',
      className: 'code-input',
      spellcheck: false,
    });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      code.wrapper,
      error.element,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Confirm and enable'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => ((view = 'status'), (enrolment = null), render()) }, 'Cancel'),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      const value = code.input.value.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(value)) return error.show('Enter the 6 digits your authenticator app shows.', code.input);
      try {
        const { confirmTotpEnrolment } = await busy(form, () => call(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: value }));
        codes = confirmTotpEnrolment.codes;
        status = confirmTotpEnrolment.status;
        totpOn = true;
        enrolment = null;
        session.acceptedCode = { tenantId: tenant.id, code: value, at: Date.now() };
        options.onEnabled?.();
        view = 'codes';
        setNotice('Two-factor authentication is now active. Save your recovery codes — they’re shown once.');
        render();
        focus(body.querySelector<HTMLElement>('.codes-panel h3'));
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        if (isGatewayError(failure, 'NO_PENDING_ENROLMENT')) {
          enrolment = null;
          status = { ...status, state: 'NOT_CONFIGURED' };
          view = 'status';
          setNotice(explain(failure), 'error');
          return render(body.querySelector<HTMLElement>('button') ?? undefined);
        }
        error.show(
          explain(failure, { INVALID_TWO_FACTOR_CODE: 'That code did not match. Wait for the next code from your app and try again.' }),
          code.input,
        );
      }
    });

    return h(
      'ol',
      { class: 'steps' },
      h(
        'li',
        null,
        h('h3', { tabindex: '-1' }, 'Step 1: Scan the QR code'),
        h('p', null, 'Open your authenticator app and scan this code. It adds ', h('strong', null, tenant.name), ' with your email as the account name.'),
        h('img', { class: 'qr', src: current.qrCodeDataUrl, width: 200, height: 200, alt: `QR code that adds ${tenant.name} to your authenticator app` }),
        h('p', null, 'Can’t scan it? Type this secret into the app’s manual-entry option instead:'),
        h(
          'div',
          { class: 'secret-row' },
          h('code', { class: 'secret', 'aria-label': 'Secret key', 'data-secret': current.secret }, secretGroups),
          h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary',
              'aria-label': 'Copy the secret key',
              onclick: async () => {
                const ok = await copyText(current.secret);
                copyStatus.textContent = ok ? 'Secret copied.' : 'Copying failed: select the secret and copy it by hand.';
              },
            },
            'Copy',
          ),
          copyStatus,
        ),
        h('p', { class: 'hint' }, `This setup expires at ${formatDateTime(current.expiresAt)}. If it does, start again for a fresh code.`),
      ),
      h('li', null, h('h3', null, 'Step 2: Confirm with a code from the app'), form),
    );
  }

  function codesView(): HTMLElement {
    if (codes.length === 0) {
      // TOTP added beside passkeys: the codes issued with the first factor stay; none are new.
      const next = options.continueTo
        ? h('a', { class: 'button button-primary', href: options.continueTo.href }, options.continueTo.label)
        : h('button', { type: 'button', class: 'button button-primary', onclick: () => ((view = 'status'), setNotice(null), render(card.querySelector('h2') ?? undefined)) }, 'Done');
      return h('div', null, h('p', null, 'Authenticator app added. Your recovery codes are unchanged.'), h('div', { class: 'actions' }, next));
    }
    const done = options.continueTo
      ? h('a', { class: 'button button-primary', href: options.continueTo.href }, options.continueTo.label)
      : h('button', { type: 'button', class: 'button button-primary', onclick: () => ((view = 'status'), (codes = []), setNotice(null), render(card.querySelector('h2') ?? undefined)) }, 'I have saved these codes');
    return recoveryCodesPanel(codes, tenant.name, done).panel;
  }

  function regenerateForm(): HTMLElement {
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password', hint: 'A new set of 8 codes replaces the old one at once.' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      h('h3', null, 'Regenerate recovery codes'),
      password.wrapper,
      error.element,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Generate new codes'),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => ((view = 'status'), render()) }, 'Cancel'),
      ),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      const confirmed = await confirmDialog({ title: 'Generate new recovery codes?', body: 'Old codes will stop working immediately.', confirmLabel: 'Generate new codes', tone: 'primary' });
      if (!confirmed) return;
      try {
        const { regenerateRecoveryCodes } = await busy(form, () => call(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: password.input.value }));
        codes = regenerateRecoveryCodes.codes;
        status = regenerateRecoveryCodes.status;
        view = 'codes';
        setNotice('New recovery codes issued. The old ones no longer work.');
        render();
        focus(body.querySelector<HTMLElement>('.codes-panel h3'));
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(explain(failure), isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined);
      }
    });
    return form;
  }

  /** Removes the app but keeps passkeys; the gateway refuses the last factor (LAST_FACTOR). */
  function removeTotpSection(): HTMLElement {
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      h('p', null, hasPasskeys() ? 'Your passkeys stay and keep two-factor on.' : 'Add a passkey first: the authenticator app is your only second factor here.'),
      password.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-danger' }, 'Remove authenticator app')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      try {
        const { removeTotpAuthenticator } = await busy(form, () => call(RemoveTotpAuthenticatorDocument, { tenantId: tenant.id, password: password.input.value }));
        status = removeTotpAuthenticator;
        totpOn = false;
        view = 'status';
        setNotice('Authenticator app removed. Your passkeys keep two-factor on.', 'info');
        render(card.querySelector('h2') ?? undefined);
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(
          explain(failure, { LAST_FACTOR: 'The authenticator app is your last second factor here: add a passkey first, or disable two-factor.' }),
          isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined,
        );
      }
    });
    return h('details', { class: 'danger-zone remove-totp' }, h('summary', null, 'Remove authenticator app'), form);
  }

  function disableSection(): HTMLElement {
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      h('p', null, `Turning two-factor off removes the second sign-in step in ${tenant.name} and makes your account easier to take over.`),
      password.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-danger' }, 'Disable two-factor')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      try {
        const { disableTwoFactor } = await busy(form, () => call(DisableTwoFactorDocument, { tenantId: tenant.id, password: password.input.value }));
        status = disableTwoFactor;
        totpOn = false;
        view = 'status';
        setNotice(`Two-factor authentication is off for ${tenant.name}.`, 'info');
        render(card.querySelector('h2') ?? undefined);
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(
          explain(failure, { INVALID_PASSWORD: 'Password did not match. Two-factor remains enabled.' }),
          isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined,
        );
      }
    });
    return h('details', { class: 'danger-zone' }, h('summary', null, 'Disable two-factor'), form);
  }

  render();
  return card;
}
