import { describe, expect, it } from 'vitest';
import { deviceExpiresAt, endedIfRememberedBy, isDeviceLive, rememberedUntil } from '../../src/remembered-devices/device-expiry';

const DAY = 86_400_000;
const createdAt = new Date('2026-01-01T00:00:00.000Z');
const device = { createdAt, expiresAt: rememberedUntil(createdAt, 30) };

describe('how long a remembered device vouches', () => {
  it('lasts the days it was remembered for', () => {
    expect(device.expiresAt.getTime() - createdAt.getTime()).toBe(30 * DAY);
    expect(deviceExpiresAt(device, 30)).toEqual(device.expiresAt);
    expect(isDeviceLive(device, 30, new Date(createdAt.getTime() + 30 * DAY - 1))).toBe(true);
    expect(isDeviceLive(device, 30, new Date(createdAt.getTime() + 30 * DAY))).toBe(false);
  });

  it('is shortened by fewer days, ended by 0, and lengthened by none', () => {
    expect(deviceExpiresAt(device, 7)).toEqual(new Date(createdAt.getTime() + 7 * DAY));
    expect(isDeviceLive(device, 7, new Date(createdAt.getTime() + 7 * DAY - 1))).toBe(true);
    expect(isDeviceLive(device, 7, new Date(createdAt.getTime() + 7 * DAY))).toBe(false);
    expect(isDeviceLive(device, 0, createdAt)).toBe(false);
    expect(deviceExpiresAt(device, 90)).toEqual(device.expiresAt);
  });

  it('says which devices lowering the days ends now', () => {
    const now = new Date(createdAt.getTime() + 10 * DAY);
    expect(endedIfRememberedBy(now, 7)).toEqual(new Date(createdAt.getTime() + 3 * DAY));
    expect(endedIfRememberedBy(now, 0)).toEqual(now);
  });
});
