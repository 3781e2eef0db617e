/** How long a tenant may let a device skip its challenge: 0 (remembering off, the default) to 90 days. */
export const REMEMBER_DEVICE_MAX_DAYS = 90;

const DAY_MS = 86_400_000;

/** A device remembered now, under the tenant's `days`, expires then. */
export function rememberedUntil(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** Under `days`, a device remembered at or before this instant has ended by `now`. */
export function endedIfRememberedBy(now: Date, days: number): Date {
  return rememberedUntil(now, -days);
}

/**
 * When a remembered device stops vouching: the days it was remembered for, or the tenant's current days if
 * those are fewer, both counted from the pass it was remembered with. So lowering the days shortens every device
 * at once (0 ends them all), and raising them lengthens none. The devices lowering ends are forgotten then
 * (forget-devices.ts), so that raising the days again brings none back.
 */
export function deviceExpiresAt(device: { createdAt: Date; expiresAt: Date }, tenantDays: number): Date {
  return new Date(Math.min(device.expiresAt.getTime(), rememberedUntil(device.createdAt, tenantDays).getTime()));
}

export function isDeviceLive(device: { createdAt: Date; expiresAt: Date }, tenantDays: number, now: Date): boolean {
  return deviceExpiresAt(device, tenantDays).getTime() > now.getTime();
}
