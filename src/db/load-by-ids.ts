import { EntityTarget, In, ObjectLiteral } from 'typeorm';
import type { Database } from './database';

/** A DataLoader batch function: one `WHERE id IN (…)` for many ids, answered in key order. */
export function loadByIds<T extends ObjectLiteral & { id: string }>(db: Database, entity: EntityTarget<T>) {
  return async (ids: readonly string[]): Promise<Array<T | null>> => {
    const rows = await db.manager.findBy(entity, { id: In([...ids]) } as never);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  };
}
