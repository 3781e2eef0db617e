import type { TestGateway } from './gateway';

const TABLES = [
  'agents',
  'tenants',
  'tenant_memberships',
  'tenant_member_counts',
  'member_search_grams',
  'member_search_gram_counts',
  'workspaces',
  'workspace_memberships',
  'authenticators',
  'recovery_codes',
  'sessions',
  'tenant_standings',
  'challenges',
  'audit_events',
  'rate_limit_buckets',
  'passkeys',
  'webauthn_challenges',
  'mail_outbox',
  'account_tokens',
  'tenant_invitations',
  'signing_keys',
  'remembered_devices',
  'device_sign_ins',
  'identity_providers',
  'identity_provider_domains',
  'sso_links',
  'sso_starts',
] as const;

/** Primary keys other than `id`. */
const KEYS: Partial<Record<(typeof TABLES)[number], string>> = {
  rate_limit_buckets: 'bucket_key',
  tenant_member_counts: 'tenant_id, role',
  member_search_grams: 'tenant_id, gram, membership_id',
  member_search_gram_counts: 'tenant_id, gram',
  identity_provider_domains: 'domain',
};

/**
 * Every row of every table, in key order: a failed request must leave this exactly as it was. A session's
 * `last_used_at` is left out: any request with the session moves it on (once a minute), refused or not.
 * `except` leaves tables out, e.g. `audit_events` where a refusal is audited (REAUTH_FAILED) but must change
 * nothing else.
 */
export async function databaseSnapshot(t: TestGateway, except: ReadonlyArray<(typeof TABLES)[number]> = []): Promise<string> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES.filter((name) => !except.includes(name))) {
    const key = KEYS[table] ?? 'id';
    // The outbox sender moves rows on in the background: only what a request writes is compared.
    const columns = table === 'mail_outbox' ? 'id, recipient, template, created_at' : '*';
    const rows: Array<Record<string, unknown>> = await t.gateway.db.manager.query(`SELECT ${columns} FROM ${table} ORDER BY ${key}`);
    // lock_version counts the row locks taken (Database.lockRow), even by a request that then changes nothing.
    const kept = rows.map(({ lock_version: _lock, ...row }) => row);
    if (table === 'sessions') for (const row of kept) delete row.last_used_at;
    tables[table] = kept;
  }
  return JSON.stringify(tables);
}

export async function rowCount(t: TestGateway, table: (typeof TABLES)[number]): Promise<number> {
  const [row] = await t.gateway.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}
