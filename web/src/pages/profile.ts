import { MyFactorsDocument, MySessionsDocument } from '../../../src/client/generated/graphql';
import { changePasswordCard } from '../components/change-password-card';
import { passkeysCard } from '../components/passkeys-card';
import { call, GatewayError } from '../api';
import { loadRememberedDevices, rememberedDevicesCard } from '../components/remembered-devices-card';
import { sessionsCard } from '../components/sessions-card';
import { twoFactorCard } from '../components/two-factor-card';
import { append, h } from '../dom';
import { pageHeading } from '../layout';
import { app } from '../state';
import type { PageContext } from './page';

/**
 * My profile → Two-factor authentication: one card per tenant, each with its own authenticator; then the sessions,
 * and the devices each tenant remembers.
 */
export async function profilePage(ctx: PageContext): Promise<void> {
  const [statuses, sessions, remembered] = await Promise.all([
    Promise.all(
      app.tenants.map(async (tenant) => {
        const { me } = await call(MyFactorsDocument, { tenantId: tenant.id });
        if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
        return me.twoFactor;
      }),
    ),
    call(MySessionsDocument, {}).then(({ me }) => {
      if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
      return me.sessions;
    }),
    Promise.all(app.tenants.map(loadRememberedDevices)),
  ]);
  append(ctx.main, [
    h('p', { class: 'breadcrumb' }, 'My profile'),
    pageHeading(
      'Two-factor authentication',
      'Each tenant has its own authenticator. Setting it up, losing it or resetting it in one tenant changes nothing in another.',
    ),
    app.tenants.length === 0 ? h('p', null, 'You are not a member of any tenant yet.') : null,
    app.tenants.map((tenant, index) => [
      twoFactorCard({ tenant, status: statuses[index], returnTo: '/my/profile/two-factor' }),
      passkeysCard({ tenant, status: statuses[index], returnTo: '/my/profile/two-factor' }),
    ]),
    changePasswordCard(),
    sessionsCard(sessions),
    // Where the tenant remembers devices, or some are still remembered there.
    remembered.filter(({ tenant, devices }) => tenant.rememberDeviceDays > 0 || devices.length > 0).map(rememberedDevicesCard),
  ]);
}
