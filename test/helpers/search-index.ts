import type { TestGateway } from './gateway';

/**
 * The admin search's gram counters (member_search_gram_counts, those not at zero) and the same numbers counted
 * from the gram rows, each as sorted "tenant gram postings" lines: the two must be equal.
 */
export async function gramCounters(t: TestGateway): Promise<{ kept: string[]; counted: string[] }> {
  const lines = async (sql: string) =>
    ((await t.gateway.db.manager.query(sql)) as Array<{ tenant_id: string; gram: string; postings: unknown }>).map((row) => `${row.tenant_id} ${row.gram} ${Number(row.postings)}`).sort();
  return {
    kept: await lines('SELECT tenant_id, gram, postings FROM member_search_gram_counts WHERE postings <> 0'),
    counted: await lines('SELECT tenant_id, gram, COUNT(*) AS postings FROM member_search_grams GROUP BY tenant_id, gram'),
  };
}
