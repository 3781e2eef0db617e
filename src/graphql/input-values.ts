import type { ApolloServerPlugin } from '@apollo/server';
import {
  DocumentNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  OperationDefinitionNode,
  TypeInfo,
  typeFromAST,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { isCanonicalId } from '../db/ids';

/** How deep a JSONObject argument may nest (a WebAuthn credential's JSON nests 4 levels). */
export const JSON_OBJECT_MAX_DEPTH = 16;
/** How long a JSONObject argument's JSON may be (a credential's is a few KB, attestation certificates included). */
export const JSON_OBJECT_MAX_LENGTH = 64 * 1024;

/**
 * What every input value of a scalar must satisfy, wherever the schema takes one (an argument, an input object's
 * field, a list's item, a nested field's argument), present and future: a problem in words, or null.
 * - ID: the gateway's own spelling of an id (src/db/ids.ts). MariaDB's utf8mb4_unicode_ci matches another
 *   spelling (upper case, trailing spaces) to the row, while joins and the audit log compare it as written.
 * - JSONObject: bounded in depth and length, checked without recursion, so nothing that walks it later (the
 *   JSON.stringify of the passkey answer overflowed the stack at 10 KB of nested arrays) can fail on it.
 */
const RULES: Record<string, (value: unknown) => string | null> = {
  ID: (value) => (typeof value === 'string' && isCanonicalId(value) ? null : 'must be an id as the gateway gives it: a UUID in lower case'),
  JSONObject: (value) => jsonObjectProblem(value),
};

/**
 * Checks the request's input values by RULES after the document is validated and before anything runs:
 * the values written in the document (once per parsed document, which Apollo keeps) and the variables (each
 * request). A value that breaks a rule is BAD_USER_INPUT naming the argument, with a 400, as a variable of the
 * wrong type is.
 */
export function inputValueChecks(): ApolloServerPlugin {
  const checkedDocuments = new WeakSet<DocumentNode>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!checkedDocuments.has(document)) {
            checkLiterals(schema, document);
            checkedDocuments.add(document);
          }
          if (operation) checkVariables(schema, operation, request.variables ?? {});
        },
      };
    },
  };
}

function checkLiterals(schema: GraphQLSchema, document: DocumentNode): void {
  const typeInfo = new TypeInfo(schema);
  const path: string[] = []; // the argument, then the input object fields down to the value
  const ruleHere = () => {
    const type = typeInfo.getInputType();
    return type && isLeafType(getNullableType(type)) ? RULES[getNamedType(type).name] : undefined;
  };
  const check = (value: () => unknown) => {
    const problem = ruleHere()?.(value());
    if (problem) throw refusal(`Argument "${path.join('.')}" ${problem}.`);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: { enter: (node) => void path.splice(0, path.length, node.name.value), leave: () => void (path.length = 0) },
      VariableDefinition: { enter: (node) => void path.splice(0, path.length, `$${node.variable.name.value}`), leave: () => void (path.length = 0) },
      ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
      StringValue: (node) => check(() => node.value),
      IntValue: (node) => check(() => node.value),
      // A scalar's object is its value whole: its fields are not input values of their own.
      ObjectValue: (node) => {
        if (!ruleHere()) return undefined;
        check(() => valueFromASTUntyped(node));
        return false;
      },
    }),
  );
}

function checkVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): void {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type) checkValue(variables[name], type, `Variable "$${name}"`);
  }
}

/**
 * Walks a variable's value along its type (so as deep as the schema's input types nest, whatever the value);
 * what does not fit the type is left to graphql's own coercion, which refuses it.
 */
function checkValue(value: unknown, type: GraphQLInputType, where: string): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return checkValue(value, type.ofType, where);
  if (isListType(type)) {
    for (const item of Array.isArray(value) ? value : [value]) checkValue(item, type.ofType, where);
    return;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    for (const field of Object.values(type.getFields())) {
      if (field.name in value) checkValue((value as Record<string, unknown>)[field.name], field.type, `${where} at "${field.name}"`);
    }
    return;
  }
  const problem = RULES[type.name]?.(value);
  if (problem) throw refusal(`${where} ${problem}.`);
}

/** Depth first, by hand (no recursion), then the length of its JSON, which the depth bound makes safe to write. */
function jsonObjectProblem(value: unknown): string | null {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > JSON_OBJECT_MAX_DEPTH) return `is nested deeper than ${JSON_OBJECT_MAX_DEPTH} levels`;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  const length = JSON.stringify(value)?.length ?? 0;
  return length > JSON_OBJECT_MAX_LENGTH ? `is longer than ${JSON_OBJECT_MAX_LENGTH} characters of JSON` : null;
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}
