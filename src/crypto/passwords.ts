import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Semaphore } from 'async-mutex';
import { availableParallelism } from 'node:os';

/** argon2id at the OWASP Password Storage Cheat Sheet minimum: m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * At most one argon2 computation per core at a time: a flood of sign-ins queues here instead of taking every
 * core (and the libuv threads that database drivers share) from the requests behind it. More at once does not
 * sign in faster: on 2 cores, 4 at a time (the libuv pool's size) cost 5–12 % more CPU per sign-in (argon2's
 * 19 MiB each contend for the caches) and answered no more sign-ins per second.
 */
const cores = new Semaphore(availableParallelism());

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return cores.runExclusive(() => hash(password, ARGON2_OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await cores.runExclusive(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

/** Spent on unknown emails so that a miss costs what a hit costs (no account enumeration by timing). */
let decoyHash: Promise<string> | undefined;
export async function verifyDecoyPassword(password: string): Promise<false> {
  decoyHash ??= hashPassword('decoy password, never a real one');
  await verifyPassword(await decoyHash, password);
  return false;
}
