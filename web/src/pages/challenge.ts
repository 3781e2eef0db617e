import { BeginPasskeyAssertionDocument, CancelChallengeDocument, MyTwoFactorDocument, UseRecoveryCodeDocument, VerifyPasskeyDocument, VerifyTwoFactorDocument } from '../../../src/client/generated/graphql';
import { explainPasskey, usePasskey } from '../passkeys';
import { followAccess } from '../access';
import { call, isGatewayError } from '../api';
import { append, busy, field, focus, formatDateTime, formError, h, replace } from '../dom';
import { pageHeading, setTitle } from '../layout';
import { explain, retryIn } from '../messages';
import { navigate, type Flash } from '../nav';
import { session, type PendingChallenge } from '../session';
import { handleSessionEnded, signOut, workspaceById } from '../state';
import type { PageContext } from './page';

const START_OVER = 'This verification is no longer valid. Start over.';

/**
 * "Two-factor verification": the 6-digit code, or a recovery code ("Lost your phone?"), or leave ("Sign in as
 * a different user", which cancels the challenge and signs out). It says why it asks (the workspace requires
 * two-factor, or the agent turned it on in the tenant), how many attempts are left and until when, and words a
 * challenge met while already working in a workspace as a switch rather than as the end of signing in.
 */
export async function challengePage(ctx: PageContext): Promise<void> {
  const pending = session.challenge;
  if (!pending) return navigate('/', { replace: true });

  const where = pending.workspaceName ? `${pending.workspaceName} · ${pending.tenantName}` : pending.tenantName;
  const panel = h('div', { class: 'card-body' });
  // A passkey first when the pair has one; the code and recovery-code paths stay beside it.
  const hasPasskey = pending.methods.includes('PASSKEY');
  const hasTotp = pending.methods.includes('TOTP');
  let mode: 'passkey' | 'totp' | 'recovery' = hasPasskey ? 'passkey' : hasTotp ? 'totp' : 'recovery';

  const backToStart = (text: string) => {
    session.challenge = null;
    navigate('/', { replace: true, flash: { text, tone: 'error' } });
  };

  const granted = (access: Parameters<typeof followAccess>[0], flash: Flash = { text: `Verified. Welcome to ${where}.`, tone: 'success' }) => {
    if (followAccess(access, pending.returnTo)) navigate(pending.returnTo, { replace: true, flash });
  };

  /** A recovery code is spent: say how many are left, and what to do when none are. */
  const afterRecoveryCode = async (): Promise<Flash> => {
    const { me } = await call(MyTwoFactorDocument, { tenantId: pending.tenantId });
    const left = me?.twoFactor.recoveryCodesRemaining ?? 0;
    if (left === 0) return { text: 'Verified with your last recovery code: you have none left. Generate new ones in My profile now.', tone: 'warning' };
    return { text: `Verified with a recovery code. ${left} ${left === 1 ? 'code' : 'codes'} left: each works once, and My profile makes a new set.`, tone: 'success' };
  };

  // Where the tenant allows it (and never for a fresh pass a privileged action asked: that one is about now).
  const days = pending.rememberDeviceDays ?? 0;
  const rememberId = 'remember-device';
  const remember = h('input', { type: 'checkbox', id: rememberId, name: 'remember-device' });
  const rememberRow =
    days > 0
      ? h(
          'div',
          { class: 'remember-device' },
          h('div', { class: 'checkbox-row' }, remember, h('label', { for: rememberId }, `Remember this device for ${days} ${days === 1 ? 'day' : 'days'}`)),
          h('p', { class: 'hint' }, `${pending.tenantName} will not ask this browser for your second factor again until then. Only on a device you alone use.`),
        )
      : null;
  const rememberDevice = () => days > 0 && remember.checked;

  const attemptsNote = h('p', { class: 'muted attempts' });
  const showAttempts = (left: number) => {
    attemptsNote.textContent = `${left} ${left === 1 ? 'attempt' : 'attempts'} left, until ${formatDateTime(pending.expiresAt)}.`;
  };
  showAttempts(pending.attemptsRemaining);

  // The button says where the answer leads: the end of signing in, a workspace switch, or back to what was asked.
  const verifyLabel = !pending.isSwitch ? 'Verify and sign in' : pending.workspaceName ? 'Verify and switch' : 'Verify and continue';

  const answerForm = (): HTMLElement => {
    const recovery = mode === 'recovery';
    const code = recovery
      ? field({ label: 'Recovery code', name: 'recovery-code', autocomplete: 'off', placeholder: 'XXXX-XXXX', maxlength: 64, spellcheck: false, autocapitalize: 'characters', hint: 'One of the codes you saved when you set up two-factor. Each works once.', className: 'code-input' })
      : field({ label: '6-digit code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]{6,7}', maxlength: 7, hint: 'From the authenticator app on your phone.', spellcheck: false, className: 'code-input' });
    const error = formError();
    const form = h(
      'form',
      { class: 'stack', novalidate: true },
      code.wrapper,
      error.element,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, recovery ? 'Use recovery code' : verifyLabel)),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      const value = recovery ? code.input.value.trim() : code.input.value.replace(/\s+/g, '');
      if (recovery && !value) return error.show('Enter one of your recovery codes.', code.input);
      if (!recovery && !/^\d{6}$/.test(value)) return error.show('Enter the 6 digits your authenticator app shows.', code.input);
      try {
        await busy(form, async () => {
          if (recovery) {
            const access = (await call(UseRecoveryCodeDocument, { challengeId: pending.challengeId, code: value, rememberDevice: rememberDevice() })).useRecoveryCode;
            granted(access, await afterRecoveryCode());
          } else {
            const access = (await call(VerifyTwoFactorDocument, { challengeId: pending.challengeId, code: value, rememberDevice: rememberDevice() })).verifyTwoFactor;
            session.acceptedCode = { tenantId: pending.tenantId, code: value, at: Date.now() };
            granted(access);
          }
        });
      } catch (failure) {
        if (handleSessionEnded(failure)) return;
        if (isGatewayError(failure, 'CHALLENGE_INVALIDATED', 'NOT_FOUND')) return backToStart(START_OVER);
        if (isGatewayError(failure, 'INVALID_TWO_FACTOR_CODE')) {
          const left = Number(failure.extensions.attemptsRemaining);
          const lockedFor = Number(failure.extensions.retryAfterSeconds);
          if (Number.isFinite(lockedFor) && lockedFor > 0) {
            // That answer was one wrong too many in a row: the tenant locks answers for a while.
            const locked = `That code did not match. Too many attempts in a row: try again ${retryIn(lockedFor)}.`;
            return left === 0 ? backToStart(locked) : error.show(locked, code.input);
          }
          if (left === 0) return backToStart(`That code did not match, and no attempts are left. ${START_OVER}`);
          session.challenge = { ...pending, attemptsRemaining: left } satisfies PendingChallenge;
          if (Number.isFinite(left)) showAttempts(left);
          const attempts = Number.isFinite(left) ? ` ${left} ${left === 1 ? 'attempt' : 'attempts'} remaining.` : '';
          // The gateway answers a replayed code like a wrong one; this tab knows when it was the code just used.
          const what = recovery
            ? 'That recovery code did not match.'
            : session.wasJustAccepted(pending.tenantId, value)
              ? 'That code was already used. Wait for the next code from your app and enter that one.'
              : 'That code did not match.';
          return error.show(`${what}${attempts}`, code.input);
        }
        error.show(explain(failure), code.input);
      }
    });
    return form;
  };

  /** "Use a passkey": options from the gateway, the browser's prompt, the assertion back; a rejection spends an attempt. */
  const passkeyStep = (): HTMLElement => {
    const error = formError();
    const button = h('button', { type: 'button', class: 'button button-primary' }, 'Use a passkey');
    const step = h('div', { class: 'stack' }, h('p', null, 'Use the passkey you added for this tenant: your fingerprint, face or device PIN.'), error.element, h('div', { class: 'actions' }, button));
    button.addEventListener('click', async () => {
      error.clear();
      try {
        await busy(step, async () => {
          const { beginPasskeyAssertion } = await call(BeginPasskeyAssertionDocument, { challengeId: pending.challengeId });
          const credential = await usePasskey(beginPasskeyAssertion.options);
          granted((await call(VerifyPasskeyDocument, { challengeId: pending.challengeId, credential, rememberDevice: rememberDevice() })).verifyPasskey);
        });
      } catch (failure) {
        if (handleSessionEnded(failure)) return;
        if (isGatewayError(failure, 'CHALLENGE_INVALIDATED', 'NOT_FOUND')) return backToStart(START_OVER);
        if (isGatewayError(failure, 'PASSKEY_REJECTED')) {
          const left = Number(failure.extensions.attemptsRemaining);
          const lockedFor = Number(failure.extensions.retryAfterSeconds);
          const rejected = explainPasskey(failure);
          if (Number.isFinite(lockedFor) && lockedFor > 0) return left === 0 ? backToStart(`${rejected} Too many attempts in a row: try again ${retryIn(lockedFor)}.`) : error.show(`${rejected} Try again ${retryIn(lockedFor)}.`);
          if (left === 0) return backToStart(`${rejected} No attempts are left. ${START_OVER}`);
          if (Number.isFinite(left)) {
            session.challenge = { ...pending, attemptsRemaining: left } satisfies PendingChallenge;
            showAttempts(left);
          }
          return error.show(Number.isFinite(left) ? `${rejected} ${left} ${left === 1 ? 'attempt' : 'attempts'} remaining.` : rejected);
        }
        error.show(explainPasskey(failure));
      }
    });
    return step;
  };

  const switchTo = (next: typeof mode, label: string): HTMLElement =>
    h('button', { type: 'button', class: 'button-link', onclick: () => ((mode = next), render(), focus(panel.querySelector<HTMLElement>('input, .button-primary'))) }, label);

  /** The other ways in, beside the current one. */
  const others = (): HTMLElement[] => {
    const links: HTMLElement[] = [];
    if (mode !== 'passkey' && hasPasskey) links.push(switchTo('passkey', 'Use a passkey instead'));
    if (mode !== 'totp' && hasTotp) links.push(switchTo('totp', 'Use the code from your authenticator app instead'));
    if (mode !== 'recovery' && pending.methods.includes('RECOVERY_CODE')) links.push(switchTo('recovery', mode === 'totp' ? 'Lost your phone? Use a recovery code' : 'Use a recovery code'));
    return links;
  };

  const render = () => replace(panel, mode === 'passkey' ? passkeyStep() : answerForm(), others().map((link) => h('p', { class: 'switch-method' }, link)));

  const differentUser = h(
    'button',
    {
      type: 'button',
      class: 'button button-quiet',
      onclick: async () => {
        try {
          await call(CancelChallengeDocument, { challengeId: pending.challengeId });
        } catch {
          // Already answered, expired or replaced: signing out ends it anyway.
        }
        await signOut('Signed out. Sign in as a different user.');
      },
    },
    'Sign in as a different user',
  );

  const how = hasPasskey ? 'Verify with your passkey or a code to continue.' : 'Enter your code to continue.';
  const lead = !pending.isSwitch
    ? `Password accepted. ${how}`
    : pending.workspaceName
      ? `You are switching to ${pending.workspaceName} in ${pending.tenantName}. ${how}`
      : `${pending.tenantName} asks for your second factor. ${how}`;
  const requiredByWorkspace = pending.workspaceId !== null && workspaceById(pending.workspaceId)?.workspace.twoFactorRequired === true;
  const why = requiredByWorkspace
    ? `${pending.workspaceName} requires two-factor authentication.`
    : `You turned on two-factor authentication in ${pending.tenantName}, so it asks for your second factor once per session, for every workspace.`;

  render();
  setTitle('Two-factor verification', where);
  append(ctx.main, [
    h(
      'div',
      { class: 'narrow' },
      pageHeading('Two-factor verification', lead),
      h('p', { class: 'context' }, 'Verifying for ', h('strong', null, where), `. ${why}`),
      attemptsNote,
      h('div', { class: 'card' }, panel, rememberRow && h('div', { class: 'card-body' }, rememberRow)),
      h('p', { class: 'leave' }, differentUser),
    ),
  ]);
  ctx.focusTarget = panel.querySelector<HTMLElement>('input, .button-primary');
}
