import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { Database, sqlRows } from './database';
import { placeholders, rawBool, rawDate, rawInt } from './raw';

/**
 * A DataLoader batch function: one `SELECT … WHERE id IN (…)` for many ids, answered in key order. Plain SQL
 * built once per database and entity from its metadata (every request makes its loaders anew; they share these),
 * rows converted as the entity declares.
 */
export function loadByIds<T extends ObjectLiteral & { id: string }>(db: Database, entity: EntityTarget<T>): (ids: readonly string[]) => Promise<Array<T | null>> {
  return memoized(batchFunctions, db, entity, '', () => {
    const { table, columnList, toEntity } = rawEntity(db, entity);
    const select = `SELECT ${columnList} FROM ${table} WHERE id IN `;
    return async (ids: readonly string[]): Promise<Array<T | null>> => {
      const rows = await sqlRows(db.manager, `${select}(${placeholders(ids)})`, [...ids]);
      const byId = new Map(rows.map((row) => [row.id as string, toEntity(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    };
  });
}

export interface RawEntity<T> {
  table: string;
  columnList: string;
  toEntity(row: Record<string, unknown>): T;
}

/**
 * An entity's table, its columns for a SELECT list, and the mapping of a raw row back to the entity, made once
 * per database, entity and alias. With an alias, columns are selected as `<alias>.<column> AS <alias>_<column>`,
 * so several entities fit in one row.
 */
export function rawEntity<T extends ObjectLiteral>(db: Database, entity: EntityTarget<T>, alias?: string): RawEntity<T> {
  return memoized(rawEntities, db, entity, alias ?? '', () => {
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
  });
}

type PerEntity = WeakMap<Database, Map<EntityTarget<ObjectLiteral>, Map<string, unknown>>>;
const batchFunctions: PerEntity = new WeakMap();
const rawEntities: PerEntity = new WeakMap();

function memoized<V>(cache: PerEntity, db: Database, entity: EntityTarget<ObjectLiteral>, variant: string, make: () => V): V {
  let byEntity = cache.get(db);
  if (!byEntity) cache.set(db, (byEntity = new Map()));
  let byVariant = byEntity.get(entity);
  if (!byVariant) byEntity.set(entity, (byVariant = new Map()));
  if (!byVariant.has(variant)) byVariant.set(variant, make());
  return byVariant.get(variant) as V;
}

function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : rawInt(value);
}
