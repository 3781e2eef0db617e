import { createConnection } from 'mysql2/promise';
import type { TestGateway } from './gateway';

/** Rows a test can hold: the tenant row (the hierarchy rule's lock) and a pair's authenticator row. */
export type HeldTable = 'tenants' | 'authenticators';

export interface HeldRow {
  /** Resolves once `n` writes wait behind the hold (fails after 45 s). */
  queued(n: number): Promise<void>;
  /** Lets the waiting writes go, in the order they arrived. */
  release(): Promise<void>;
}

/**
 * Holds the gateway's writes back so that a test can line requests up in a chosen order and then let them go:
 * each request reads what it reads before its turn (reads are never held), and writes after the ones queued
 * before it. This is how a race is shown deterministically.
 * - MariaDB: another connection holds the row `FOR UPDATE`; `queued(n)` counts this database's statements
 *   waiting to write `table` (every write of the requests concerned starts with `UPDATE <table>`).
 * - SQLite: the database has one writer (src/db/sqlite-writer.ts) and the gateway runs every write through it,
 *   so holding that writer holds every write; `queued(n)` counts the units of work waiting for their turn.
 *   Make sure each session has been used in the last minute first (a session's first request of a minute
 *   writes `last_used_at`, which would queue too).
 */
export async function holdRow(t: TestGateway, table: HeldTable, where: string, params: unknown[]): Promise<HeldRow> {
  return t.kind === 'sqlite' ? holdSqliteWriter(t) : holdMariaDbRow(t, table, where, params);
}

async function holdMariaDbRow(t: TestGateway, table: HeldTable, where: string, params: unknown[]): Promise<HeldRow> {
  const holder = await createConnection({ uri: t.database.url!, timezone: 'Z' });
  await holder.beginTransaction();
  await holder.query(`SELECT id FROM ${table} WHERE ${where} FOR UPDATE`, params);
  return {
    queued: (n) =>
      waitUntil(n, async () => {
        const [rows] = await holder.query(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND IN ('Query', 'Execute') AND INFO LIKE ?",
          [`UPDATE ${table}%`],
        );
        return Number((rows as Array<{ n: unknown }>)[0].n);
      }),
    release: async () => {
      await holder.commit();
      await holder.end();
    },
  };
}

async function holdSqliteWriter(t: TestGateway): Promise<HeldRow> {
  // The outbox sender writes through the same writer: it delivers first what the requests before gave it (a
  // sign-up's verification link, a notice), so that the writes counted behind the hold are the requests' own.
  await outboxIdle(t);
  const writer = (t.gateway.db as unknown as { sqliteWriter: { waiting: unknown[] } }).sqliteWriter;
  let letGo!: () => void;
  let taken!: () => void;
  const isTaken = new Promise<void>((resolve) => (taken = resolve));
  const held = t.gateway.db.transaction(() => {
    taken(); // the writer runs the holding unit: every later write waits behind it
    return new Promise<void>((resolve) => (letGo = resolve));
  });
  await isTaken;
  return {
    queued: (n) => waitUntil(n, async () => writer.waiting.length),
    release: async () => {
      letGo();
      await held;
    },
  };
}

/** Until no message is due in the outbox (at most 10 s: a message waiting for a retry later does not count). */
async function outboxIdle(t: TestGateway): Promise<void> {
  const due = async () => Number((await t.gateway.db.manager.query("SELECT COUNT(*) AS n FROM mail_outbox WHERE state = 'PENDING' AND next_attempt_at <= ?", [t.clock.now().toISOString().replace('T', ' ').replace('Z', '')]))[0].n);
  for (const deadline = Date.now() + 10_000; Date.now() < deadline && (await due()) > 0; await new Promise((resolve) => setTimeout(resolve, 10)));
}

async function waitUntil(n: number, count: () => Promise<number>): Promise<void> {
  for (const deadline = Date.now() + 45_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 10))) {
    if ((await count()) >= n) return;
  }
  throw new Error(`fewer than ${n} writes queued behind the held row`);
}
