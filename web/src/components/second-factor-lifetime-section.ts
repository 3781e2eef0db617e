import { SetTenantRememberDeviceDaysDocument, SetTenantSecondFactorLifetimeDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, field, h, uid } from '../dom';

/** A lifetime shown in minutes where it is a whole number of them; the gateway keeps seconds. */
const toMinutes = (seconds: number | null | undefined) => (seconds == null ? '' : String(Math.round((seconds / 60) * 100) / 100));

/**
 * How long a pass lasts in the tenant: how many days a device may be remembered (0: none; lowering forgets or
 * shortens the devices remembered, 0 forgets them all), and how long a pass holds in a session before the tenant
 * asks again (blank: for the whole session). More days, or a longer lifetime, weaken 2FA: the gateway asks the
 * admin for a recent second factor, which `act` handles on this page.
 */
export function secondFactorLifetimeSection(options: {
  tenantId: string;
  rememberDeviceDays: number;
  secondFactorLifetimeSeconds: number | null;
  act(work: () => Promise<void>, report: (text: string) => void): Promise<void>;
  changed(message: string): void;
}): HTMLElement {
  const title = uid('section');
  const days = field({ label: 'Remember devices for (days)', type: 'number', name: 'remember-device-days', value: String(options.rememberDeviceDays), hint: '0 to 90. 0 offers no "Remember this device" and forgets every remembered device.' });
  days.input.min = '0';
  days.input.max = '90';
  const lifetime = field({
    label: 'A pass lasts (minutes)',
    type: 'number',
    name: 'second-factor-lifetime',
    value: toMinutes(options.secondFactorLifetimeSeconds),
    required: false,
    hint: 'Blank: for the whole session. After this long the tenant asks for the second factor again, in the same session.',
  });
  lifetime.input.min = '1';
  lifetime.input.step = 'any';
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    days.wrapper,
    lifetime.wrapper,
    h(
      'p',
      { class: 'note' },
      'A remembered device skips the challenge at sign-in, but never counts for privileged actions (turning 2FA off, resets, viewing recovery codes): those always need the second factor answered in the last 15 minutes.',
    ),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Save')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const dayCount = Number(days.input.value);
    if (!Number.isInteger(dayCount) || dayCount < 0 || dayCount > 90) return void (error.textContent = 'Days must be a whole number from 0 to 90.');
    const minutes = lifetime.input.value.trim();
    const seconds = minutes === '' ? null : Math.round(Number(minutes) * 60);
    if (seconds !== null && (!Number.isFinite(seconds) || seconds < 1 || seconds > 90 * 86_400)) return void (error.textContent = 'A pass lasts from a second to 90 days; leave it blank for the whole session.');
    void options.act(
      async () => {
        await busy(form, async () => {
          await call(SetTenantRememberDeviceDaysDocument, { tenantId: options.tenantId, days: dayCount });
          await call(SetTenantSecondFactorLifetimeDocument, { tenantId: options.tenantId, seconds });
        });
        const remembered = dayCount === 0 ? 'Devices are not remembered' : `Devices are remembered for ${dayCount} ${dayCount === 1 ? 'day' : 'days'}`;
        options.changed(`${remembered}; a pass lasts ${seconds === null ? 'for the whole session' : `${minutes} ${minutes === '1' ? 'minute' : 'minutes'}`}.`);
      },
      (text) => (error.textContent = text),
    );
  });
  return h('section', { class: 'card', 'aria-labelledby': title }, h('div', { class: 'card-header' }, h('h2', { id: title }, 'How long a second factor lasts')), h('div', { class: 'card-body' }, form));
}
