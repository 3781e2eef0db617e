import { ChangePasswordDocument } from '../../../src/client/generated/graphql';
import { withRecentPass } from '../access';
import { call } from '../api';
import { busy, field, formError, h, uid } from '../dom';
import { explain } from '../messages';
import { navigate } from '../nav';
import { handleSessionEnded } from '../state';
import { newPasswordFields } from './new-password';

/**
 * "Change password": a recent second factor where the agent has one (asked in a dialog when needed), the current
 * password re-checked; every other session and every remembered device is signed out, this session stays.
 */
export function changePasswordCard(): HTMLElement {
  const titleId = uid('card-title');
  const current = field({ label: 'Current password', type: 'password', name: 'current-password', autocomplete: 'current-password' });
  const next = newPasswordFields();
  const error = formError();
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    current.wrapper,
    next.wrappers,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Change password')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    if (!current.input.value) return error.show('Enter your current password.', current.input);
    const problem = next.problem();
    if (problem) return error.show(problem.text, problem.input);
    try {
      // A privileged action: without a recent second factor in one of the agent's tenants, it is asked here, once.
      await busy(form, () => withRecentPass(null, () => call(ChangePasswordDocument, { currentPassword: current.input.value, newPassword: next.input.value })));
      navigate(location.pathname, { replace: true, flash: { text: 'Password changed. Your other sessions were signed out; this one stays.', tone: 'success' } });
    } catch (failure) {
      if (handleSessionEnded(failure)) return;
      current.input.value = '';
      error.show(explain(failure), current.input);
    }
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, 'Password'), h('p', { class: 'card-kicker' }, 'Changing it signs out every other session of yours.'))),
    h('div', { class: 'card-body' }, form),
  );
}
