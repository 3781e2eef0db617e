import { Field, ObjectType } from 'type-graphql';
import { DomainError } from '../errors/domain-error';

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export { MAX_PAGE_SIZE } from './page-size';

/** Cursors are opaque to clients: base64url of the row's id (UUIDv7, so time-ordered). */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new DomainError('BAD_USER_INPUT', { field: 'after' });
  }
  return id;
}

/** One page of a keyset query fetched with one extra row to learn whether another page follows. */
export function toPage<T extends { id: string }>(rows: T[], size: number): { nodes: T[]; pageInfo: PageInfo } {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(last.id) : null } };
}
