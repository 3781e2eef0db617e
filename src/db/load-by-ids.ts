import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { Database, sqlRows } from './database';
import { placeholders, rawBool, rawDate, rawInt } from './raw';

/**
 * A DataLoader batch function: one `SELECT … WHERE id IN (…)` for many ids, answered in key order. Plain SQL
 * built once from the entity's metadata (loaders run on every request), rows converted as the entity declares.
 */
export function loadByIds<T extends ObjectLiteral & { id: string }>(db: Database, entity: EntityTarget<T>) {
  const metadata = db.dataSource.getMetadata(entity);
  const columns = metadata.columns.map((column) => ({
    property: column.propertyName,
    name: column.databaseName,
    convert: column.type === 'datetime' ? rawDate : column.type === 'boolean' ? rawBool : column.type === 'integer' ? nullableInt : (v: unknown) => v,
  }));
  const select = `SELECT ${columns.map((c) => c.name).join(', ')} FROM ${metadata.tableName} WHERE id IN `;
  return async (ids: readonly string[]): Promise<Array<T | null>> => {
    const rows = await sqlRows(db.manager, `${select}(${placeholders(ids)})`, [...ids]);
    const byId = new Map<string, T>();
    for (const row of rows) {
      const entity = {} as Record<string, unknown>;
      for (const column of columns) entity[column.property] = column.convert(row[column.name]);
      byId.set(entity.id as string, entity as T);
    }
    return ids.map((id) => byId.get(id) ?? null);
  };
}

function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : rawInt(value);
}
