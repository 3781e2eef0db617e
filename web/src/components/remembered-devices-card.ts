import { ForgetRememberedDeviceDocument, ForgetRememberedDevicesDocument, MyRememberedDevicesDocument, type RememberedDevicePartsFragment } from '../../../src/client/generated/graphql';
import { describeUserAgent } from '../../../src/client/user-agent';
import { call, GatewayError, isGatewayError } from '../api';
import { busy, formatDateTime, h, replace, uid } from '../dom';
import { badge } from '../layout';
import { explain } from '../messages';
import type { Tone } from '../nav';
import { handleSessionEnded, type ConsoleTenant } from '../state';
import { confirmDialog } from './confirm-dialog';

/** One tenant's remembered devices, as the profile loads them. */
export interface TenantDevices {
  tenant: Pick<ConsoleTenant, 'id' | 'name' | 'rememberDeviceDays'>;
  devices: RememberedDevicePartsFragment[];
}

export async function loadRememberedDevices(tenant: TenantDevices['tenant']): Promise<TenantDevices> {
  const { me } = await call(MyRememberedDevicesDocument, { tenantId: tenant.id });
  if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
  return { tenant, devices: me.rememberedDevices };
}

/**
 * "Remembered devices" of one tenant: the browsers and clients that skip its challenge (device, address, when
 * remembered, last used, until when), this one marked, each with Forget, and Forget all. Shown where the tenant
 * remembers devices or some are still remembered.
 */
export function rememberedDevicesCard(initial: TenantDevices): HTMLElement {
  const { tenant } = initial;
  let devices = initial.devices;
  const titleId = uid('card-title');
  const notice = h('div', { class: 'card-notice', role: 'status' });
  const body = h('div', { class: 'card-body' });
  const days = tenant.rememberDeviceDays;
  const card = h(
    'section',
    { class: 'card remembered-devices-card', 'aria-labelledby': titleId, 'data-tenant-id': tenant.id },
    h(
      'div',
      { class: 'card-header' },
      h(
        'div',
        null,
        h('h2', { id: titleId }, `Remembered devices · ${tenant.name}`),
        h('p', { class: 'card-kicker' }, days > 0 ? `These skip ${tenant.name}'s second factor for up to ${days} ${days === 1 ? 'day' : 'days'} after you verified on them.` : `${tenant.name} no longer remembers devices.`),
      ),
    ),
    notice,
    body,
  );

  const setNotice = (text: string | null, tone: Tone = 'success') => {
    notice.className = text ? `card-notice notice-${tone}` : 'card-notice';
    replace(notice, text ? h('p', null, text) : null);
  };

  const act = async (work: () => Promise<string>) => {
    setNotice(null);
    try {
      const done = await busy(card, work);
      devices = (await loadRememberedDevices(tenant)).devices;
      render();
      setNotice(done);
    } catch (error) {
      if (handleSessionEnded(error)) return;
      if (isGatewayError(error, 'NOT_FOUND')) {
        devices = (await loadRememberedDevices(tenant).catch(() => ({ devices }))).devices;
        render();
        return setNotice('That device had already been forgotten.', 'info');
      }
      setNotice(explain(error), 'error');
    }
  };

  function deviceRow(device: RememberedDevicePartsFragment): HTMLElement {
    const name = describeUserAgent(device.userAgent);
    return h(
      'li',
      { class: 'row device-row', 'data-device-id': device.id, 'data-current': device.current ? 'true' : undefined },
      h(
        'div',
        { class: 'session-main' },
        h('span', { class: 'row-title', title: device.userAgent ?? undefined }, name, device.current ? [' ', badge('This device', 'blue')] : null),
        h(
          'span',
          { class: 'muted session-facts' },
          device.clientIp ?? 'Unknown address',
          ' · remembered ',
          h('time', { datetime: device.createdAt }, formatDateTime(device.createdAt)),
          ' · last used ',
          device.lastUsedAt ? h('time', { datetime: device.lastUsedAt }, formatDateTime(device.lastUsedAt)) : 'never',
          ' · until ',
          h('time', { datetime: device.expiresAt }, formatDateTime(device.expiresAt)),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'button button-secondary button-small',
          'aria-label': `Forget ${name}${device.clientIp ? ` at ${device.clientIp}` : ''}`,
          onclick: () =>
            void act(async () => {
              await call(ForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: device.id });
              return `Forgotten: ${name} will be asked for your second factor at its next sign-in.`;
            }),
        },
        'Forget',
      ),
    );
  }

  function render(): void {
    const forgetAll = h(
      'button',
      {
        type: 'button',
        class: 'button button-danger',
        onclick: async () => {
          const confirmed = await confirmDialog({
            title: `Forget every device in ${tenant.name}?`,
            body: `Every browser and client, this one included, will be asked for ${tenant.name}'s second factor again at its next sign-in.`,
            confirmLabel: 'Forget all',
          });
          if (!confirmed) return;
          await act(async () => {
            const { forgetRememberedDevices: count } = await call(ForgetRememberedDevicesDocument, { tenantId: tenant.id });
            return count === 1 ? 'Forgot 1 device.' : `Forgot ${count} devices.`;
          });
        },
      },
      'Forget all devices',
    );
    replace(
      body,
      devices.length
        ? h('ul', { class: 'rows', 'aria-label': `Devices remembered for ${tenant.name}` }, devices.map(deviceRow))
        : h('p', { class: 'muted' }, 'No device is remembered. Tick "Remember this device" when you verify to add this one.'),
      devices.length > 1 ? h('div', { class: 'actions' }, forgetAll) : null,
    );
  }

  render();
  return card;
}
