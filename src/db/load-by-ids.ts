import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { Database, sqlRows } from './database';
import { placeholders, rawBool, rawDate, rawInt } from './raw';

/**
 * A DataLoader batch function: one `SELECT … WHERE id IN (…)` for many ids, answered in key order. Plain SQL
 * built once from the entity's metadata (loaders run on every request), rows converted as the entity declares.
 */
export function loadByIds<T extends ObjectLiteral & { id: string }>(db: Database, entity: EntityTarget<T>) {
  const { table, columnList, toEntity } = rawEntity(db, entity);
  const select = `SELECT ${columnList} FROM ${table} WHERE id IN `;
  return async (ids: readonly string[]): Promise<Array<T | null>> => {
    const rows = await sqlRows(db.manager, `${select}(${placeholders(ids)})`, [...ids]);
    const byId = new Map(rows.map((row) => [row.id as string, toEntity(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  };
}

/**
 * An entity's table, its columns for a SELECT list, and the mapping of a raw row back to the entity. With an
 * alias, columns are selected as `<alias>.<column> AS <alias>_<column>`, so several entities fit in one row.
 */
export function rawEntity<T extends ObjectLiteral>(db: Database, entity: EntityTarget<T>, alias?: string) {
  const metadata = db.dataSource.getMetadata(entity);
  const columns = metadata.columns.map((column) => ({
    property: column.propertyName,
    select: alias ? `${alias}.${column.databaseName} AS ${alias}_${column.databaseName}` : column.databaseName,
    key: alias ? `${alias}_${column.databaseName}` : column.databaseName,
    convert: column.type === 'datetime' ? rawDate : column.type === 'boolean' ? rawBool : column.type === 'integer' ? nullableInt : (v: unknown) => v,
  }));
  return {
    table: metadata.tableName,
    columnList: columns.map((c) => c.select).join(', '),
    toEntity(row: Record<string, unknown>): T {
      const entity = {} as Record<string, unknown>;
      for (const column of columns) entity[column.property] = column.convert(row[column.key]);
      return entity as T;
    },
  };
}

function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : rawInt(value);
}
