import { SetTenantIssuerDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, field, h, uid } from '../dom';

/** Mirrors the gateway's rule: 1 to 200 code points, no colon (apps split `issuer:account` at the colon). */
const ISSUER_PATTERN = '[^:]{1,200}';

/**
 * The issuer: the name authenticator apps show beside this tenant's codes. A new name reaches only set-ups made
 * from now on; entries already in apps keep the name they were scanned with, and the form says so.
 */
export function issuerSection(options: {
  tenantId: string;
  issuer: string;
  act(work: () => Promise<void>, report: (text: string) => void): Promise<void>;
  changed(issuer: string, message: string): void;
}): HTMLElement {
  let current = options.issuer;
  const title = uid('section');
  const { wrapper, input } = field({
    label: 'Name in authenticator apps (issuer)',
    name: 'issuer',
    value: current,
    maxlength: 200,
    pattern: ISSUER_PATTERN,
    spellcheck: false,
    hint: 'Shown beside the codes in apps such as Google Authenticator. No colon; at most 200 characters.',
  });
  const note = h(
    'p',
    { class: 'note' },
    'Changing it affects new set-ups only: agents who already added this tenant to their app keep the name they scanned, and their codes keep working.',
  );
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'stack' }, wrapper, note, error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Save name')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const issuer = input.value.trim();
    if (issuer === current) return;
    void options.act(
      async () => {
        const { setTenantIssuer } = await busy(form, () => call(SetTenantIssuerDocument, { tenantId: options.tenantId, issuer }));
        current = setTenantIssuer.issuer;
        input.value = current;
        options.changed(current, `Authenticator apps will show “${current}” for new set-ups. Existing entries keep their name.`);
      },
      (text) => (error.textContent = text),
    );
  });
  return h('section', { class: 'card', 'aria-labelledby': title }, h('div', { class: 'card-header' }, h('h2', { id: title }, 'Authenticator app name')), h('div', { class: 'card-body' }, form));
}
