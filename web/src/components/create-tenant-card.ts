import { CreateTenantDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, field, formError, h, uid } from '../dom';
import { explain } from '../messages';
import { navigate } from '../nav';
import { loadHome } from '../state';

/** "Create a tenant": the agent becomes its owner and lands in its admin console to set it up. */
export function createTenantCard(): HTMLElement {
  const titleId = uid('card-title');
  const name = field({ label: 'Tenant name', name: 'tenant-name', maxlength: 200, hint: 'Your organisation or team, as members and authenticator apps will see it.' });
  const error = formError();
  const form = h('form', { class: 'stack', novalidate: true }, name.wrapper, error.element, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Create tenant')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    const value = name.input.value.trim();
    if (!value) return error.show('Give the tenant a name.', name.input);
    try {
      const { createTenant } = await busy(form, () => call(CreateTenantDocument, { name: value }));
      await loadHome();
      navigate(`/admin/${encodeURIComponent(createTenant.id)}`, { flash: { text: `Created ${createTenant.name}: you are its owner. Invite its members below.`, tone: 'success' } });
    } catch (failure) {
      error.show(explain(failure), name.input);
    }
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, 'Create a tenant'), h('p', { class: 'card-kicker' }, 'You become its owner; invite members from its admin console.'))),
    h('div', { class: 'card-body' }, form),
  );
}
