import {
  BeginPasskeyRegistrationDocument,
  FinishPasskeyRegistrationDocument,
  RemovePasskeyDocument,
  RenamePasskeyDocument,
  type FactorStatusPartsFragment,
  type PasskeyPartsFragment,
} from '../../../src/client/generated/graphql';
import { handleGateError } from '../access';
import { call, isGatewayError } from '../api';
import { busy, field, focus, formatDate, formError, h, replace, uid } from '../dom';
import { badge } from '../layout';
import { explain } from '../messages';
import { navigate, type Tone } from '../nav';
import { createPasskey, explainPasskey, passkeysSupported } from '../passkeys';
import { handleSessionEnded } from '../state';
import { recoveryCodesPanel } from './recovery-codes';

export interface PasskeysCardOptions {
  tenant: { id: string; name: string; twoFactorEnabled: boolean };
  status: FactorStatusPartsFragment;
  /** This page, to come back to after a challenge, and to show again after a change. */
  returnTo: string;
  /** The setup page: where to go once the first passkey is added and its codes saved. */
  continueTo?: { href: string; label: string };
  /** Open the add form at once (the setup page). */
  startAdding?: boolean;
}

const LAST_FACTOR = 'This is your last second factor here: add another passkey or an authenticator app first, or disable two-factor.';

/**
 * The "Passkeys" card of one tenant: the pair's passkeys (name, added, last used, synced or this device only)
 * with Rename and Remove, and "Add a passkey" (password → the browser's passkey prompt → a name). The first
 * second factor of the pair turns two-factor on and shows the recovery codes once.
 */
export function passkeysCard(options: PasskeysCardOptions): HTMLElement {
  const { tenant } = options;
  let status = options.status;
  const titleId = uid('passkeys-title');
  const badgeSlot = h('div', { class: 'card-badge' });
  const notice = h('div', { class: 'card-notice', role: 'status' });
  const body = h('div', { class: 'card-body' });
  const card = h(
    'section',
    // Named apart from the tenant's authenticator-app card, which is the region named after the tenant.
    { class: 'card passkeys-card', 'aria-labelledby': titleId, 'data-tenant-id': tenant.id },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, `Passkeys in ${tenant.name}`), h('p', { class: 'card-kicker' }, 'Sign in with your fingerprint, face or device PIN')), badgeSlot),
    notice,
    body,
  );
  const setNotice = (text: string | null, tone: Tone = 'success') => {
    notice.className = text ? `card-notice notice-${tone}` : 'card-notice';
    replace(notice, text ? h('p', null, text) : null);
  };
  const handledElsewhere = async (error: unknown): Promise<boolean> => handleSessionEnded(error) || (await handleGateError(error, tenant.id, options.returnTo));
  /** Both cards of the tenant show the pair: read it again after a change. */
  const reload = (text: string, tone: Tone = 'success') => navigate(options.returnTo, { replace: true, flash: { text, tone } });

  function render(): void {
    const count = status.passkeys.length;
    replace(badgeSlot, badge(count === 0 ? 'None' : `${count} ${count === 1 ? 'passkey' : 'passkeys'}`, count ? 'emerald' : 'slate'));
    if (!tenant.twoFactorEnabled) {
      replace(body, h('p', null, `Two-factor authentication is turned off for ${tenant.name}, so passkeys cannot be added here now.`));
      return;
    }
    replace(
      body,
      count
        ? h('ul', { class: 'passkey-list', 'aria-label': `Your passkeys in ${tenant.name}` }, status.passkeys.map(passkeyRow))
        : h('p', null, `Sign in to ${tenant.name} with your fingerprint, face or device PIN instead of a code. A passkey cannot be phished: it only works on this site.`),
      addSection(),
    );
  }

  function passkeyRow(passkey: PasskeyPartsFragment): HTMLElement {
    const actions = h('div', { class: 'actions' });
    const row = h(
      'li',
      { class: 'passkey', 'data-passkey-id': passkey.id },
      h('div', { class: 'passkey-main' }, h('strong', { class: 'passkey-name' }, passkey.name), ' ', badge(passkey.backedUp ? 'Synced' : 'This device only', passkey.backedUp ? 'blue' : 'slate')),
      h(
        'p',
        { class: 'passkey-facts' },
        'Added ',
        h('time', { datetime: passkey.createdAt }, formatDate(passkey.createdAt)),
        ' · ',
        passkey.lastUsedAt ? ['Last used ', h('time', { datetime: passkey.lastUsedAt }, formatDate(passkey.lastUsedAt))] : 'Never used',
      ),
      actions,
    );
    const slot = h('div', { class: 'passkey-form' });
    replace(
      actions,
      h('button', { type: 'button', class: 'button button-secondary', onclick: () => (replace(slot, renameForm(passkey, slot)), focus(slot.querySelector('input'))) }, 'Rename'),
      h('button', { type: 'button', class: 'button button-secondary button-danger-text', onclick: () => (replace(slot, removeForm(passkey, slot)), focus(slot.querySelector('input'))) }, 'Remove'),
    );
    row.append(slot);
    return row;
  }

  function renameForm(passkey: PasskeyPartsFragment, slot: HTMLElement): HTMLElement {
    const name = field({ label: 'New name', name: 'passkey-name', maxlength: 64, autocomplete: 'off' });
    name.input.value = passkey.name;
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      name.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save name'), h('button', { type: 'button', class: 'button button-secondary', onclick: () => slot.replaceChildren() }, 'Cancel')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      const value = name.input.value.trim();
      if (!value || value.length > 64) return error.show('Give the passkey a name of 1 to 64 characters.', name.input);
      try {
        const { renamePasskey } = await busy(form, () => call(RenamePasskeyDocument, { tenantId: tenant.id, passkeyId: passkey.id, name: value }));
        status = { ...status, passkeys: status.passkeys.map((p) => (p.id === passkey.id ? renamePasskey : p)) };
        setNotice(`Renamed to "${renamePasskey.name}".`);
        render();
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(explain(failure), name.input);
      }
    });
    return form;
  }

  function removeForm(passkey: PasskeyPartsFragment, slot: HTMLElement): HTMLElement {
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password', hint: `Removing "${passkey.name}" means it no longer verifies you in ${tenant.name}.` });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      password.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-danger' }, 'Remove passkey'), h('button', { type: 'button', class: 'button button-secondary', onclick: () => slot.replaceChildren() }, 'Cancel')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      try {
        await busy(form, () => call(RemovePasskeyDocument, { tenantId: tenant.id, passkeyId: passkey.id, password: password.input.value }));
        reload(`Passkey "${passkey.name}" removed.`, 'info');
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(explain(failure, { LAST_FACTOR }), isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined);
      }
    });
    return form;
  }

  function addSection(): HTMLElement {
    if (!passkeysSupported()) return h('p', { class: 'note' }, 'This browser does not support passkeys. Use another browser or device to add one.');
    const name = field({ label: 'Name', name: 'passkey-name', maxlength: 64, autocomplete: 'off', hint: 'So you can tell your passkeys apart, e.g. "Work laptop".' });
    name.input.value = status.passkeys.length ? `Passkey ${status.passkeys.length + 1}` : 'My passkey';
    const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password', hint: 'Confirm it is you before a new passkey is linked to your account.' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      name.wrapper,
      password.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Add passkey')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      const label = name.input.value.trim();
      if (!label || label.length > 64) return error.show('Give the passkey a name of 1 to 64 characters.', name.input);
      if (!password.input.value) return error.show('Enter your current password.', password.input);
      try {
        const added = await busy(form, async () => {
          const { beginPasskeyRegistration } = await call(BeginPasskeyRegistrationDocument, { tenantId: tenant.id, password: password.input.value });
          const credential = await createPasskey(beginPasskeyRegistration.options);
          return (await call(FinishPasskeyRegistrationDocument, { tenantId: tenant.id, name: label, credential })).finishPasskeyRegistration;
        });
        password.input.value = '';
        if (added.recoveryCodes.length === 0) {
          if (options.continueTo) return navigate(options.continueTo.href, { flash: { text: `Passkey "${added.passkey.name}" added.`, tone: 'success' } });
          return reload(`Passkey "${added.passkey.name}" added.`);
        }
        // The first second factor: two-factor is now on, and the codes are shown this once.
        status = added.status;
        const done = options.continueTo
          ? h('a', { class: 'button button-primary', href: options.continueTo.href }, options.continueTo.label)
          : h('button', { type: 'button', class: 'button button-primary', onclick: () => reload(`Two-factor authentication is on for ${tenant.name}.`) }, 'I have saved these codes');
        const { panel, heading } = recoveryCodesPanel(added.recoveryCodes, tenant.name, done);
        setNotice(`Passkey "${added.passkey.name}" added. Two-factor authentication is now on for ${tenant.name}.`);
        replace(badgeSlot, badge('1 passkey', 'emerald'));
        replace(body, panel);
        focus(heading);
      } catch (failure) {
        if (await handledElsewhere(failure)) return;
        error.show(explainPasskey(failure), isGatewayError(failure, 'INVALID_PASSWORD') ? password.input : isGatewayError(failure, 'BAD_USER_INPUT') ? name.input : undefined);
      }
    });
    return h('details', { class: 'add-passkey', ...(options.startAdding ? { open: true } : {}) }, h('summary', null, 'Add a passkey'), form);
  }

  render();
  return card;
}
