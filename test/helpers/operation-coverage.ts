import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLObjectType, Kind, OperationDefinitionNode, parse } from 'graphql';
import { GraphQLClient, GraphQLResponse } from './client';

/**
 * The contract's root operations that take arguments (test/fixtures/contract.graphql), as "Query.tenant" /
 * "Mutation.signIn": what a table of bad-input cases must reach, counted against the contract rather than
 * against the table itself. Only those the gateway serves already (schema/schema.graphql): the contract's
 * operations not built yet are listed by test/unit/schema.test.ts.
 */
export function contractOperationsWithArguments(): string[] {
  const served = new Set(operationsWithArguments('../../schema/schema.graphql'));
  return operationsWithArguments('../fixtures/contract.graphql').filter((operation) => served.has(operation));
}

function operationsWithArguments(file: string): string[] {
  const schema = buildSchema(readFileSync(path.resolve(__dirname, file), 'utf8'));
  const roots = [schema.getQueryType(), schema.getMutationType()].filter((type): type is GraphQLObjectType => Boolean(type));
  return roots.flatMap((root) => Object.values(root.getFields()).filter((field) => field.args.length > 0).map((field) => `${root.name}.${field.name}`));
}

/** A client that sends nothing: it only notes the root fields of every document it is handed. */
class RecordingClient extends GraphQLClient {
  constructor(private readonly seen: Set<string>) {
    super('http://recording.invalid');
  }
  override withToken(): GraphQLClient {
    return this;
  }
  override async raw<T>(body: unknown): Promise<GraphQLResponse<T>> {
    for (const { query } of [body].flat() as Array<{ query?: unknown }>) {
      if (typeof query !== 'string') continue;
      let document;
      try {
        document = parse(query);
      } catch {
        continue; // a document that does not parse reaches no operation
      }
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const root = (definition as OperationDefinitionNode).operation === 'mutation' ? 'Mutation' : 'Query';
        for (const selection of definition.selectionSet.selections) if (selection.kind === Kind.FIELD) this.seen.add(`${root}.${selection.name.value}`);
      }
    }
    return { status: 0, data: null };
  }
}

/**
 * The root operations a table of requests reaches, found by running each request against a stand-in scene
 * whose every client records instead of sending and whose every id or string is "x".
 */
export async function operationsReached<S>(sends: Array<(scene: S) => Promise<unknown>>): Promise<Set<string>> {
  const seen = new Set<string>();
  const recorder = new RecordingClient(seen);
  const scene: any = new Proxy(function stand() {}, {
    get(_target, property) {
      if (property === 'client' || property === 'anonymous') return recorder;
      if (property === Symbol.toPrimitive || property === 'toJSON' || property === 'toString') return () => 'x';
      if (typeof property === 'symbol' || property === 'then') return undefined;
      return scene;
    },
  });
  for (const send of sends) await send(scene);
  return seen;
}
