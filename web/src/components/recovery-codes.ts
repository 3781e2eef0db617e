import { copyText, h, uid, type Child } from '../dom';

/**
 * The one time recovery codes are shown (after confirming enrolment, and after regenerating): the list,
 * "Copy all codes", and whatever should come next (`actions`).
 */
export function recoveryCodesPanel(codes: string[], tenantName: string, actions: Child): { panel: HTMLElement; heading: HTMLElement } {
  const headingId = uid('codes');
  const heading = h('h3', { id: headingId, tabindex: '-1' }, 'Save these recovery codes — shown ONCE');
  const copied = h('span', { class: 'copy-status', role: 'status' });
  const copyAll = h(
    'button',
    {
      type: 'button',
      class: 'button button-secondary',
      onclick: async () => {
        const ok = await copyText(codes.join('\n'));
        copied.textContent = ok ? 'All codes copied.' : 'Copying failed: select the codes and copy them by hand.';
      },
    },
    'Copy all codes',
  );
  const panel = h(
    'section',
    { class: 'codes-panel', 'aria-labelledby': headingId },
    heading,
    h(
      'p',
      null,
      `Each code signs you in to ${tenantName} once if you lose your authenticator app. Store them in a password manager or print them: they will not be shown again.`,
    ),
    h('ol', { class: 'codes', 'aria-label': 'Recovery codes' }, codes.map((code) => h('li', null, h('code', null, code)))),
    h('div', { class: 'actions' }, copyAll, copied),
    h('div', { class: 'actions' }, actions),
  );
  return { panel, heading };
}
