import fc from 'fast-check';
import {
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { isConnectionType } from './schema-walk';

/** Real values the sweep mixes in, so hostile requests also reach the code behind the first checks. */
export interface KnownValues {
  /** Ids of rows that exist: the caller's own tenant and another tenant's (tenants, workspaces, agents). */
  ids: string[];
  /** Emails, passwords and names that exist (never those of the sweep's own sessions, whose sign-in it must not lock). */
  strings: string[];
  /** Per argument or input field name (`challengeId`, `code`, …): values that fit it, tried half the time. */
  byName: Record<string, string[]>;
}

/** One request: a document, its variables, and every string sent (the answer may echo those, not internals). */
export interface HostileRequest {
  query: string;
  variables: Record<string, unknown>;
  sent: string[];
}

const INT_MAX = 2 ** 31 - 1;

/** Strings that have broken parsers, validators, drivers and collations before. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t\n',
  'a'.repeat(5000),
  'é'.repeat(5000),
  '🦄'.repeat(300),
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m\u007f',
  '\r\n\u2028\u2029',
  '\uD800',
  'x\uDFFFy',
  '\uDBFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  "' OR '1'='1' --",
  '"; DROP TABLE agents; --',
  '%',
  '_',
  '\\',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '9'.repeat(400),
  '-1',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  // Codes: right-looking, almost right, and look-alikes
  '000000',
  '123456',
  ' 123456 ',
  '12345',
  '1234567',
  '１２３４５６',
  '7KQ2-M9XD',
  '7kq2m9xd',
  '7KQ2M-9XDPA',
];

/** True one time in `n`, unbiased (fast-check's integers lean to small values, which would make 0 common). */
function oneIn(g: fc.GeneratorValue, n: number): boolean {
  return g(() => fc.noBias(fc.nat({ max: n - 1 }))) === 0;
}

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

function hostileString(known: KnownValues): fc.Arbitrary<string> {
  const ids = known.ids.length ? known.ids : ['none'];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 6, arbitrary: fc.constantFrom(...ids, ...known.strings) },
    { weight: 1, arbitrary: fc.constantFrom(...ids).map((id) => Buffer.from(id).toString('base64url')) }, // a cursor
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  );
}

const hostileInt = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, -1, 1, 42, 50, 100, 101, INT_MAX, -INT_MAX - 1) },
  { weight: 2, arbitrary: fc.integer({ min: -INT_MAX - 1, max: INT_MAX }) },
  { weight: 1, arbitrary: fc.constantFrom(INT_MAX + 1, 1.5, 1e21, -1e308, Number.MAX_SAFE_INTEGER) },
);

const hostileDate = fc.oneof(
  fc.constantFrom('', 'yesterday', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '0000-00-00T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01'),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);

/** A value of any JSON type: the wrong one, most of the time. */
const wrongType = fc.jsonValue({ maxDepth: 2 });

/**
 * Other spellings of an id that a case- or pad-insensitive collation (MariaDB's utf8mb4_unicode_ci) could match
 * to the row: upper case, surrounding spaces, braces, no dashes, a URN.
 */
export const ID_SPELLINGS: ReadonlyArray<[string, (id: string) => string]> = [
  ['upper case', (id) => id.toUpperCase()],
  ['one letter upper-cased', (id) => id.replace(/[a-f]/, (c) => c.toUpperCase())],
  ['a trailing space', (id) => `${id} `],
  ['surrounding spaces', (id) => ` ${id} `],
  ['braces', (id) => `{${id}}`],
  ['no dashes', (id) => id.replace(/-/g, '')],
  ['a URN', (id) => `urn:uuid:${id}`],
];

/** Nested arrays or objects `depth` deep (a JSONObject holds at most 16 levels). */
export function deepJson(depth: number, kind: 'array' | 'object'): Record<string, unknown> {
  let inner: unknown = 1;
  for (let i = 0; i < depth; i++) inner = kind === 'array' ? [inner] : { a: inner };
  return { id: 'x', response: inner };
}

/** JSONObject values past its bounds (depth, length) and beside them: deep, huge, and of plausible shape. */
export const HOSTILE_JSON_OBJECTS: ReadonlyArray<[string, () => Record<string, unknown>]> = [
  ['nested arrays 17 deep', () => deepJson(17, 'array')],
  ['nested arrays 1,000 deep', () => deepJson(1000, 'array')],
  ['nested objects 1,000 deep', () => deepJson(1000, 'object')],
  ['a 70,000-character string', () => ({ id: 'x', response: { clientDataJSON: 'A'.repeat(70_000) } })],
  ['7,000 keys', () => ({ id: 'x', response: Object.fromEntries(Array.from({ length: 7000 }, (_, i) => [`k${i}`, i])) })],
];

function hostileJsonObject(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_JSON_OBJECTS.map(([, make]) => make)).map((make) => make()) },
    { weight: 1, arbitrary: fc.object({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constant({ id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } }) },
  );
}

function nonCanonicalId(known: KnownValues): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...(known.ids.length ? known.ids : ['00000000-0000-4000-8000-000000000000'])), fc.constantFrom(...ID_SPELLINGS)).map(([id, [, spell]]) => spell(id));
}

/** A value for an input type: mostly of that type (with hostile contents), sometimes null or of another type. */
export function hostileValue(g: fc.GeneratorValue, type: GraphQLInputType, known: KnownValues, depth = 0, name?: string): unknown {
  if (oneIn(g, 30)) return g(() => wrongType);
  if (isNonNullType(type)) return oneIn(g, 20) ? null : valueOf(g, type.ofType, known, depth, name);
  return oneIn(g, 10) ? null : valueOf(g, type, known, depth, name);
}

/** A value of a nullable input type. */
function valueOf(g: fc.GeneratorValue, type: GraphQLInputType, known: KnownValues, depth: number, name?: string): unknown {
  if (isListType(type)) {
    const item = type.ofType as GraphQLInputType;
    if (oneIn(g, 8)) return hostileValue(g, item, known, depth + 1, name); // a single value where a list goes
    const length = g(fc.nat, { max: depth > 1 ? 1 : 3 });
    return Array.from({ length }, () => hostileValue(g, item, known, depth + 1, name));
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((value) => value.name);
    return oneIn(g, 8) ? g(() => fc.constantFrom('', names[0].toLowerCase(), 'NOT_A_VALUE', names.join(' '))) : g(() => fc.constantFrom(...names));
  }
  if (isInputObjectType(type)) {
    if (depth > 2) return {};
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (required || g(fc.boolean)) value[field.name] = hostileValue(g, field.type, known, depth + 1, field.name);
    }
    if (oneIn(g, 10)) value.notAField = 'x';
    return value;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        if (oneIn(g, 3)) return g(() => nonCanonicalId(known));
      // falls through: otherwise ids are strings like the others
      case 'String': {
        const fitting = name ? known.byName[name] : undefined;
        return fitting?.length && g(fc.boolean) ? g(() => fc.constantFrom(...fitting)) : g(() => hostileString(known));
      }
      case 'JSONObject':
        return g(() => hostileJsonObject());
      case 'Int':
        return g(() => hostileInt);
      case 'Float':
        return g(() => fc.oneof(hostileInt, fc.double({ noNaN: true, noDefaultInfinity: true })));
      case 'Boolean':
        return g(fc.boolean);
      case 'DateTime':
        return g(() => hostileDate);
      default:
        return g(() => wrongType);
    }
  }
  return null;
}

/** Writes a JS value as a GraphQL literal (so inline arguments are hostile too); enums go bare when they can. */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  const named = getNamedType(type);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, isListType(type) ? type.ofType : type)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(key) ? key : 'x'}: ${literal(item, fields[key]?.type ?? named)}`)
      .join(', ')} }`;
  }
  if (typeof value === 'string' && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  return JSON.stringify(value);
}

class RequestWriter {
  private readonly definitions: string[] = [];
  readonly variables: Record<string, unknown> = {};
  readonly sent: string[] = [];

  constructor(
    private readonly g: fc.GeneratorValue,
    private readonly known: KnownValues,
  ) {}

  /** `(a: $v0, b: "…")`: each argument omitted (when it may be), a variable, or an inline literal. */
  arguments(args: readonly GraphQLArgument[]): string {
    const parts: string[] = [];
    for (const arg of args) {
      const optional = !isNonNullType(arg.type) || arg.defaultValue !== undefined;
      const mode = this.g(() => fc.noBias(fc.nat({ max: 9 })));
      if (optional && mode < 2) continue;
      if (!optional && mode === 0 && oneIn(this.g, 5)) continue; // a required argument left out
      const value = hostileValue(this.g, arg.type, this.known, 0, arg.name);
      this.remember(value);
      if (mode === 9) {
        parts.push(`${arg.name}: ${literal(value, arg.type)}`);
      } else {
        const name = `v${this.definitions.length}`;
        this.definitions.push(`$${name}: ${String(arg.type)}`);
        if (value !== undefined) this.variables[name] = value;
        parts.push(`${arg.name}: $${name}`);
      }
    }
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  /** Leaves always; objects `depth` levels down, some of them; connections' pages; arguments hostile too. */
  selection(type: GraphQLObjectType, depth: number): string {
    const parts: string[] = [];
    for (const field of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
      const named = getNamedType(field.type);
      if (isLeafType(named)) {
        if (!field.args.length || this.g(fc.boolean)) parts.push(`${field.name}${this.arguments(field.args)}`);
      } else if (isObjectType(named) && depth > 0 && (isConnectionType(type) || !oneIn(this.g, 3))) {
        parts.push(`${field.name}${this.arguments(field.args)} { ${this.selection(named, depth - 1)} }`);
      }
    }
    return parts.length ? parts.join(' ') : '__typename';
  }

  document(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): HostileRequest {
    const args = this.arguments(field.args);
    const named = getNamedType(field.type);
    const selection = isObjectType(named) ? ` { ${this.selection(named, 3)} }` : '';
    const definitions = this.definitions.length ? `(${this.definitions.join(', ')})` : '';
    return { query: `${operation}${definitions} { ${field.name}${args}${selection} }`, variables: this.variables, sent: this.sent };
  }

  private remember(value: unknown): void {
    if (typeof value === 'string') this.sent.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach((item) => this.remember(item));
  }
}

/** A request for one root field, every argument (its own and its selection's) hostile. */
export function hostileRequest(g: fc.GeneratorValue, operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, known: KnownValues): HostileRequest {
  return new RequestWriter(g, known).document(operation, field);
}
