import { BeginPasskeyAssertionDocument, CancelChallengeDocument, EnterTenantDocument, UseRecoveryCodeDocument, VerifyPasskeyDocument, VerifyTwoFactorDocument } from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { busy, field, formError, h, uid } from '../dom';
import { explain } from '../messages';
import { explainPasskey, usePasskey } from '../passkeys';

/**
 * The tenant's second factor asked again on the page the agent is on, for a privileged action the gateway refused
 * for want of a recent pass: enterTenant with the max age it named opens a fresh challenge, answered here with the
 * authenticator app, a recovery code or a passkey. Answers true once passed (or when the gateway lets the session
 * in without one), false when the agent cancelled.
 */
export async function freshPassDialog(tenantId: string, tenantName: string, maxAgeSeconds: number): Promise<boolean> {
  const { enterTenant: access } = await call(EnterTenantDocument, { tenantId, maxAgeSeconds });
  if (access.status === 'GRANTED') return true;
  if (!access.challenge) throw new Error(`expected a challenge, got ${access.status}`);
  const challengeId = access.challenge.id;
  const methods = access.challenge.methods;

  const titleId = uid('dialog-title');
  const code = field({
    label: methods.includes('TOTP') ? '6-digit code, or a recovery code' : 'Recovery code',
    name: 'fresh-code',
    autocomplete: 'one-time-code',
    maxlength: 64,
    spellcheck: false,
    hint: 'From your authenticator app, or one of the recovery codes you saved.',
    className: 'code-input',
  });
  const error = formError();
  const cancel = h('button', { type: 'button', class: 'button button-secondary' }, 'Cancel');
  const verify = h('button', { type: 'submit', class: 'button button-primary' }, 'Verify and continue');
  const passkey = methods.includes('PASSKEY') ? h('button', { type: 'button', class: 'button button-secondary' }, 'Use a passkey') : null;
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('h2', { id: titleId }, 'Verify it is you'),
    h('p', null, `This action needs a second factor answered in the last ${describeAge(maxAgeSeconds)} in ${tenantName}. Answer once and it goes ahead.`),
    code.wrapper,
    error.element,
    h('div', { class: 'actions' }, cancel, passkey, verify),
  );
  const dialog = h('dialog', { class: 'dialog fresh-pass-dialog', 'aria-labelledby': titleId }, form);
  document.body.appendChild(dialog);

  return new Promise<boolean>((resolve) => {
    const close = (passed: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(passed);
    };
    const giveUp = () => {
      void call(CancelChallengeDocument, { challengeId }).catch(() => undefined);
      close(false);
    };
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      giveUp();
    });
    cancel.addEventListener('click', giveUp);
    const failed = (failure: unknown, explainIt = explain) => {
      if (isGatewayError(failure, 'CHALLENGE_INVALIDATED', 'NOT_FOUND')) return error.show('This verification is no longer valid. Cancel and try the action again.');
      if (isGatewayError(failure, 'INVALID_TWO_FACTOR_CODE', 'PASSKEY_REJECTED')) {
        const left = Number(failure.extensions.attemptsRemaining);
        const what = isGatewayError(failure, 'PASSKEY_REJECTED') ? explainPasskey(failure) : 'That code did not match.';
        return error.show(Number.isFinite(left) ? `${what} ${left} ${left === 1 ? 'attempt' : 'attempts'} left.` : what, code.input);
      }
      error.show(explainIt(failure), code.input);
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      error.clear();
      const value = code.input.value.trim();
      const isTotp = /^\d{3}\s?\d{3}$/.test(value);
      if (!value) return error.show('Enter the code from your authenticator app or a recovery code.', code.input);
      void busy(form, async () => {
        if (isTotp) await call(VerifyTwoFactorDocument, { challengeId, code: value.replace(/\s/g, '') });
        else await call(UseRecoveryCodeDocument, { challengeId, code: value });
      }).then(
        () => close(true),
        (failure) => failed(failure),
      );
    });
    passkey?.addEventListener('click', () => {
      error.clear();
      void busy(form, async () => {
        const { beginPasskeyAssertion } = await call(BeginPasskeyAssertionDocument, { challengeId });
        await call(VerifyPasskeyDocument, { challengeId, credential: await usePasskey(beginPasskeyAssertion.options) });
      }).then(
        () => close(true),
        (failure) => failed(failure, explainPasskey),
      );
    });
    dialog.showModal();
    code.input.focus();
  });
}

/** "15 minutes", "2 hours", "30 seconds". */
function describeAge(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return seconds === 1 ? 'second' : `${seconds} seconds`;
}
