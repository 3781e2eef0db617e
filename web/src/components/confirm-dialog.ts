import { h, uid } from '../dom';

/**
 * Asks before a destructive step, in a modal <dialog> (focus trapped, Escape cancels, focus returns to the
 * button that opened it). Cancel has focus first, so Enter alone never confirms.
 */
export function confirmDialog(options: { title: string; body: string; confirmLabel: string; tone?: 'danger' | 'primary' }): Promise<boolean> {
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  const cancel = h('button', { type: 'submit', value: 'cancel', class: 'button button-secondary' }, 'Cancel');
  const confirm = h('button', { type: 'submit', value: 'confirm', class: `button button-${options.tone ?? 'danger'}` }, options.confirmLabel);
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
    h('form', { method: 'dialog' }, h('h2', { id: titleId }, options.title), h('p', { id: bodyId }, options.body), h('div', { class: 'actions' }, cancel, confirm)),
  );
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    dialog.showModal();
    cancel.focus();
  });
}
