import { ViewRecoveryCodesDocument } from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { busy, copyText, field, focus, formError, h, replace, uid } from '../dom';
import { withRecentPass } from '../access';
import { explain } from '../messages';

/**
 * "Show recovery codes" in a tenant that keeps them viewable: the password first, then the unused codes
 * (those issued since the tenant made them viewable), with copy and hide.
 */
export function showRecoveryCodesSection(options: { tenantId: string; tenantName: string; handledElsewhere(error: unknown): Promise<boolean> }): HTMLElement {
  const titleId = uid('show-codes');
  const password = field({ label: 'Current password', type: 'password', name: 'password', autocomplete: 'current-password', hint: `${options.tenantName} lets you view your unused recovery codes again.` });
  const error = formError();
  const shown = h('div', { class: 'shown-codes' });
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    password.wrapper,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Show recovery codes')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    if (!password.input.value) return error.show('Enter your current password.', password.input);
    try {
      // A privileged action: without a recent pass, the second factor is asked here and the codes shown after.
      const { viewRecoveryCodes } = await busy(form, () => withRecentPass(options.tenantId, () => call(ViewRecoveryCodesDocument, { tenantId: options.tenantId, password: password.input.value })));
      password.input.value = '';
      const { codes } = viewRecoveryCodes;
      const copied = h('span', { class: 'copy-status', role: 'status' });
      const list = codes.length
        ? h('ol', { class: 'codes', 'aria-label': 'Your recovery codes' }, codes.map((code) => h('li', null, h('code', null, code))))
        : h('p', null, `None of your codes can be shown: they were issued before ${options.tenantName} made codes viewable. Regenerate them to get a set you can view again.`);
      const heading = h('h4', { tabindex: '-1' }, `${codes.length} unused ${codes.length === 1 ? 'code' : 'codes'}`);
      replace(
        shown,
        heading,
        list,
        h(
          'div',
          { class: 'actions' },
          codes.length
            ? h('button', { type: 'button', class: 'button button-secondary', onclick: async () => (copied.textContent = (await copyText(codes.join('\n'))) ? 'All codes copied.' : 'Copying failed: select the codes and copy them by hand.') }, 'Copy all codes')
            : null,
          h('button', { type: 'button', class: 'button button-secondary', onclick: () => shown.replaceChildren() }, 'Hide codes'),
          copied,
        ),
      );
      focus(heading);
    } catch (failure) {
      if (await options.handledElsewhere(failure)) return;
      error.show(explain(failure), isGatewayError(failure, 'INVALID_PASSWORD', 'BAD_USER_INPUT') ? password.input : undefined);
    }
  });
  return h('details', { class: 'show-codes' }, h('summary', { id: titleId }, 'Show recovery codes'), form, shown);
}
