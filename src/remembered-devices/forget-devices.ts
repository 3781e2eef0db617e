import { LessThanOrEqual } from 'typeorm';
import type { Tx } from '../db/database';
import { RememberedDeviceEntity } from '../db/entities';
import { endedIfRememberedBy } from './device-expiry';

/**
 * Forgets remembered devices in the caller's transaction: a pair's (2FA disabled or reset, sessions revoked, the
 * tenant left), an agent's everywhere (password changed or reset). Answers how many rows went.
 */
export async function forgetRememberedDevices(tx: Tx, which: { tenantId: string; agentId?: string } | { agentId: string }): Promise<number> {
  return (await tx.delete(RememberedDeviceEntity, which)).affected ?? 0;
}

/** A tenant's days lowered to `days`: the devices that ends are forgotten (every one for 0). */
export async function forgetDevicesEndedBy(tx: Tx, tenantId: string, days: number, now: Date): Promise<void> {
  await tx.delete(RememberedDeviceEntity, { tenantId, createdAt: LessThanOrEqual(endedIfRememberedBy(now, days)) });
}
