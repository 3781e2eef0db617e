import {
  getNamedType,
  getNullableType,
  GraphQLArgument,
  GraphQLField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';

/** Walks a schema to write documents that select "everything", so new fields are covered without editing tests. */

/** A Relay connection: its `edges` list is the page, counted by the field that took `first`. */
export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && 'pageInfo' in type.getFields() && 'edges' in type.getFields();
}

export function takesFirst(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => arg.name === 'first');
}

export function isRequired(arg: GraphQLArgument): boolean {
  return isNonNullType(arg.type) && arg.defaultValue === undefined;
}

/** A literal for a required argument of a leaf type (the tenant's id for every ID), or null when there is none. */
export function literalFor(arg: GraphQLArgument, id: string): string | null {
  const type = getNullableType(arg.type);
  if (isListType(type) || isInputObjectType(type)) return null;
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].name;
  switch (named.name) {
    case 'ID':
      return JSON.stringify(id);
    case 'String':
      return '"x"';
    case 'Int':
    case 'Float':
      return '1';
    case 'Boolean':
      return 'true';
    default:
      return null;
  }
}

/** `(a: …, b: …)` for the field's required arguments, '' for none, null when one cannot be written. */
function requiredArguments(field: GraphQLField<unknown, unknown>, id: string): string | null {
  const parts: string[] = [];
  for (const arg of field.args.filter(isRequired)) {
    const literal = literalFor(arg, id);
    if (literal === null) return null;
    parts.push(`${arg.name}: ${literal}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

/**
 * Every field of `type`, objects nested `depth` levels deep, required arguments filled (ids with `id`). Leaves
 * out what would multiply the page: nested connections and lists of objects outside a connection.
 */
export function selectAll(type: GraphQLObjectType, depth: number, id: string): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (takesFirst(field)) continue;
    if (isListType(getNullableType(field.type)) && isObjectType(named) && !isConnectionType(type)) continue;
    const args = requiredArguments(field, id);
    if (args === null) continue;
    if (isLeafType(named)) parts.push(`${field.name}${args}`);
    else if (isObjectType(named) && depth > 0) parts.push(`${field.name}${args} { ${selectAll(named, depth - 1, id)} }`);
  }
  return parts.length ? parts.join(' ') : '__typename';
}

/** For each field taking `first` (a connection), a path of fields from the query root that reaches its type. */
export function connectionFields(schema: GraphQLSchema): Array<{ path: Array<GraphQLField<unknown, unknown>>; field: GraphQLField<unknown, unknown> }> {
  const query = schema.getQueryType()!;
  const pathTo = new Map<string, Array<GraphQLField<unknown, unknown>>>([[query.name, []]]);
  const queue: GraphQLObjectType[] = [query];
  while (queue.length) {
    const type = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || pathTo.has(named.name) || isListType(getNullableType(field.type)) || takesFirst(field)) continue;
      // From the root, only fields that find their object by id: the walker fills every ID with the tenant's, while
      // a String (ssoProviderFor's address) would name no object at all.
      if (type === query && field.args.filter(isRequired).some((arg) => getNamedType(arg.type).name !== 'ID')) continue;
      pathTo.set(named.name, [...pathTo.get(type.name)!, field]);
      queue.push(named);
    }
  }
  const found: Array<{ path: Array<GraphQLField<unknown, unknown>>; field: GraphQLField<unknown, unknown> }> = [];
  for (const [typeName, path] of pathTo) {
    for (const field of Object.values((schema.getType(typeName) as GraphQLObjectType).getFields())) {
      if (takesFirst(field)) found.push({ path, field });
    }
  }
  return found;
}

/** A query for one page of `first` rows (a literal, or a variable such as `$first`) of a connection, every field selected. */
export function pageQuery(path: Array<GraphQLField<unknown, unknown>>, field: GraphQLField<unknown, unknown>, first: string, id: string): string {
  const connection = getNamedType(field.type) as GraphQLObjectType;
  let inner = `${field.name}(first: ${first}) { ${selectAll(connection, 4, id)} }`;
  for (const step of [...path].reverse()) inner = `${step.name}${requiredArguments(step, id) ?? ''} { ${inner} }`;
  return first.startsWith('$') ? `query(${first}: Int) { ${inner} }` : `{ ${inner} }`;
}
