import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLEnumType, GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * The docs name the API precisely enough to be checked: what they call a field, a type or an error code is
 * one the gateway serves, and what they call not served is not. Built from the schema the gateway emits
 * (schema/schema.graphql), the contract it builds towards (test/fixtures/contract.graphql) and, for error codes,
 * which of the contract's codes the gateway's code raises. Only backticked identifiers and ErrorCode names
 * are read, so ordinary words never count.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const DOCS = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

const schema = buildSchema(read('schema/schema.graphql'));
const contract = buildSchema(read('test/fixtures/contract.graphql'));

/**
 * The names a schema gives: its types with their fields (and enum values), every name at all (`bare`), and the
 * names a doc can mention unqualified without meaning an ordinary word (`distinctive`): type names, root
 * operations, camelCase fields and arguments (`maxAgeSeconds`, not `days`), enum values (not ErrorCode's).
 */
function namesOf(source: GraphQLSchema): { bare: Set<string>; types: Map<string, Set<string>>; distinctive: Map<string, string> } {
  const bare = new Set<string>();
  const types = new Map<string, Set<string>>();
  const distinctive = new Map<string, string>(); // name → the type it belongs to (itself for a type)
  const roots = new Set([source.getQueryType()?.name, source.getMutationType()?.name, source.getSubscriptionType()?.name]);
  const isCamelCase = (name: string) => /^[a-z]+[A-Z]/.test(name);
  for (const type of Object.values(source.getTypeMap())) {
    if (type.name.startsWith('__') || type.name === 'ErrorCode') continue;
    bare.add(type.name);
    distinctive.set(type.name, type.name);
    const members = new Set<string>();
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        members.add(field.name);
        if (roots.has(type.name) || isCamelCase(field.name)) distinctive.set(field.name, type.name);
        for (const arg of 'args' in field ? field.args : []) {
          bare.add(arg.name);
          if (isCamelCase(arg.name)) distinctive.set(arg.name, type.name);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        members.add(value.name);
        distinctive.set(value.name, type.name);
      }
    }
    members.forEach((member) => bare.add(member));
    types.set(type.name, members);
  }
  return { bare, types, distinctive };
}

const served = namesOf(schema);
const contracted = namesOf(contract);

/** The contract's error codes, and those the gateway raises: named as a string in its code (clients and the catalogue aside). */
const contractCodes = new Set((contract.getType('ErrorCode') as GraphQLEnumType).getValues().map((value) => value.name));
const gatewaySource = sourceFiles('src')
  .filter((file) => !/^src\/(errors|cli|client)\//.test(file))
  .map(read)
  .join('\n');
const raisedCodes = new Set([...contractCodes].filter((code) => new RegExp(`['"\`]${code}['"\`]`).test(gatewaySource)));

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((entry) => {
    const file = `${dir}/${entry}`;
    if (statSync(path.join(root, file)).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** Prose and inline code of a Markdown file, fenced blocks set aside (they are checked as what they are). */
function splitMarkdown(text: string): { prose: string; fences: Array<{ lang: string; body: string }> } {
  const fences: Array<{ lang: string; body: string }> = [];
  const prose = text.replace(/^```(\w*)\n([\s\S]*?)^```$/gm, (_all, lang: string, body: string) => {
    fences.push({ lang, body });
    return '';
  });
  return { prose, fences };
}

/** The identifiers in a backticked span: `Tenant.issuer`, `enterTenant(tenantId)`, `{ me { sessions } }`. */
function identifiersIn(span: string): string[] {
  return span.match(/[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g) ?? [];
}

/**
 * What an identifier names, as far as the schemas tell: a field of a type (`Type.field`), an error code, or a
 * distinctive name (see namesOf). Undefined for anything else (`extensions.code`, `npm`, `days`, a setting): not
 * the API's, or not told apart from a word. An enum value of an enum the schema does not serve at all (`OPEN` of
 * the contract's SignUpMode) is left to its type's name, which is checked: the word alone is too common.
 */
function judge(identifier: string): { name: string; isServed: boolean; inContract: boolean } | undefined {
  const [first, second] = identifier.split('.');
  if (second !== undefined) {
    const known = served.types.get(first) ?? contracted.types.get(first);
    if (!known) return undefined;
    return { name: `${first}.${second}`, isServed: served.types.get(first)?.has(second) ?? false, inContract: contracted.types.get(first)?.has(second) ?? false };
  }
  if (contractCodes.has(first)) return { name: first, isServed: raisedCodes.has(first), inContract: true };
  const owner = served.distinctive.get(first) ?? contracted.distinctive.get(first);
  if (owner === undefined) return undefined;
  const isServed = served.bare.has(first);
  if (!isServed && isEnumType(contract.getType(owner)) && !served.types.has(owner)) return undefined;
  return { name: first, isServed, inContract: contracted.bare.has(first) };
}

/** A sentence that says something is not there: "not served", "not yet built", "is missing", "coming soon", … */
const ABSENCE = /\bnot\s+(?:yet\s+)?(?:served|built|implemented|supported|available|exposed)\b|\bnot\s+yet\s+(?:in|part of)\b|\b(?:is|are)\s+(?:still\s+)?missing\b|\bcoming\s+soon\b|\bnot\s+in\s+this\s+version\b|\bthis\s+version\s+(?:of\s+the\s+gateway\s+)?(?:does\s+not|doesn't|lacks)\b/i;

function sentencesOf(prose: string): string[] {
  return prose.split(/(?<=[.!?])\s+(?=[A-Z`*[(])|\n\s*\n|\n(?=\s*(?:[-*|]|\d+\.)\s)/);
}

describe.each(DOCS)('what %s says about the API', (file) => {
  const { prose, fences } = splitMarkdown(read(file));
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);

  it('names only fields, types and arguments the schema serves, and error codes the gateway raises', () => {
    const wrong = new Set<string>();
    for (const identifier of spans.flatMap(identifiersIn)) {
      const verdict = judge(identifier);
      if (!verdict || verdict.isServed) continue;
      wrong.add(verdict.inContract ? `${verdict.name} (in the contract, not served yet)` : `${verdict.name} (no such field)`);
    }
    // Error codes are named in prose too ("answers INVALID_CREDENTIALS"): every one the contract lists must be raised.
    for (const [code] of prose.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) {
      if (contractCodes.has(code) && !raisedCodes.has(code)) wrong.add(`${code} (an error code the gateway does not raise yet)`);
    }
    expect([...wrong], `${file} names what the gateway does not serve`).toEqual([]);
  });

  it('calls nothing missing or not served that the schema has', () => {
    const contradicted: string[] = [];
    for (const sentence of sentencesOf(prose).filter((text) => ABSENCE.test(text))) {
      const servedHere = [...sentence.matchAll(/`([^`\n]+)`/g)]
        .flatMap((match) => identifiersIn(match[1]))
        .map(judge)
        .filter((verdict) => verdict?.isServed)
        .map((verdict) => verdict!.name);
      if (servedHere.length) contradicted.push(`"${sentence.replace(/\s+/g, ' ').trim()}" (served: ${[...new Set(servedHere)].join(', ')})`);
    }
    expect(contradicted, `${file} says the gateway lacks what it serves`).toEqual([]);
  });

  it('shows only GraphQL documents that the schema validates', () => {
    for (const { body } of fences.filter((fence) => fence.lang === 'graphql')) {
      expect(validate(schema, parse(body)).map((error) => error.message), body).toEqual([]);
    }
  });
});

describe('the claims check itself', () => {
  it('reads the served schema, the contract and the codes the gateway raises', () => {
    expect(raisedCodes.size).toBeGreaterThan(10);
    expect(raisedCodes.has('INVALID_TWO_FACTOR_CODE')).toBe(true);
    expect(served.types.get('Mutation')?.has('verifyPasskey')).toBe(true);
  });

  it('catches a doc naming an unserved contract field, an unraised code, a false "not served" and a misspelt field', () => {
    const unserved = [...contracted.types].flatMap(([type, members]) => [...members].filter((member) => !served.types.get(type)?.has(member)).map((member) => `${type}.${member}`));
    // While part of the contract is still to build, one of its fields stands for what a doc must not name yet.
    if (unserved.length) expect(judge(unserved[0])).toMatchObject({ isServed: false, inContract: true });
    expect(judge('Tenant.issuerName')).toEqual({ name: 'Tenant.issuerName', isServed: false, inContract: false });
    expect(judge('verifyPasskey')).toMatchObject({ isServed: true });
    expect(judge('extensions.code')).toBeUndefined();
    expect(judge('days')).toBeUndefined(); // an argument of the contract, and a word
    expect(ABSENCE.test('Passkeys are part of the contract (`verifyPasskey`) but not served by this version of the gateway yet.')).toBe(true);
    expect(ABSENCE.test('A session that has not yet passed the challenge answers TWO_FACTOR_REQUIRED.')).toBe(false);
    for (const code of contractCodes) if (!raisedCodes.has(code)) expect(judge(code)).toMatchObject({ isServed: false });
  });
});
