import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ASTNode, BREAK, DocumentNode, getNamedType, getNullableType, getVariableValues, GraphQLError, GraphQLField, GraphQLObjectType, GraphQLSchema, isCompositeType, isListType, OperationDefinitionNode, TypeInfo, ValidationContext, ValidationRule, visit, visitWithTypeInfo } from 'graphql';
import { ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from '../graphql/page-size';

const MAX_TOKENS = 2000;

/** What a list with no `first` (a tenant's workspaces, the caller's tenants) is assumed to hold. */
export const ASSUMED_LIST_SIZE = 10;

/**
 * Limits on the shape of a document, checked before anything runs; a request over one gets a GraphQL
 * validation error naming the limit. Aliases are capped low enough that a document cannot carry many guesses
 * at a code (each answer is counted anyway), high enough for real clients.
 *
 * The token limit is graphql-js's own parse option: armor's Apollo max-tokens plugin re-parses in a hook whose
 * errors Apollo treats as unexpected, so every syntax error became a 500 (graphql-armor issues #571, #751).
 *
 * The cost is armor's no more: its static cost weighs depth and ignores `first`, so it refused real 100-row pages
 * and judged `first: 43` and `first: $n` differently. `complexityLimit` counts rows instead.
 */
export function graphqlLimits(options: { hideFieldSuggestions: boolean; maxComplexity: number }) {
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 30 },
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }).protect();
  return {
    ...armor,
    validationRules: [...armor.validationRules, onePasswordCheckPerDocument],
    plugins: [...armor.plugins, complexityLimit(options.maxComplexity)],
    parseOptions: { maxTokens: MAX_TOKENS },
  };
}

/**
 * Whether a field checks or hashes a password (argon2, tens of milliseconds of a core): one of its arguments is
 * `password` or ends in `Password` (currentPassword, newPassword). Read from the schema, so a field added later
 * is covered by its argument's name alone; signIn and signUp are such fields too.
 */
function checksPassword(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => /^password$|Password$/.test(arg.name));
}

/**
 * At most one field that checks a password per document, wherever it stands (aliases, fragments, another
 * operation of the document): otherwise 30 aliased beginTotpEnrolment cost 30 argon2 verifications for one
 * request. A validation error (GRAPHQL_VALIDATION_FAILED, 400) before anything runs; Apollo caches the verdict
 * with the parsed document.
 */
export const onePasswordCheckPerDocument: ValidationRule = (context: ValidationContext) => {
  const found: string[] = [];
  return {
    Field: () => {
      const field = context.getFieldDef();
      if (field && checksPassword(field)) found.push(field.name);
    },
    Document: {
      leave: () => {
        if (found.length <= 1) return;
        const names = [...new Set(found)].join(', ');
        context.reportError(new GraphQLError(`A document may hold at most one field that checks a password; this one holds ${found.length} (${names}).`));
      },
    },
  };
};

/**
 * Pagination-aware complexity: every field costs 1 plus what it selects; a field taking `first` (a connection)
 * costs `first` rows, each 1 plus what the connection selects; a list of objects without `first` costs
 * ASSUMED_LIST_SIZE times what it selects. A field's own `complexity` (type-graphql's field option) wins over these.
 * So a 100-row page of the audit log with every field nested costs about 4,200, and 30 aliased 100-row pages of
 * ids alone about 12,000.
 *
 * The limit is GRAPHQL_MAX_COMPLEXITY (default 10,000), judged in didResolveOperation with the request's
 * variables, so `first: 100` and `first: $n` (n = 100) cost the same. Over the limit is a GRAPHQL_VALIDATION_FAILED
 * (400) naming the limit and the cost; nothing has run.
 */
export function complexityLimit(maxComplexity: number): ApolloServerPlugin {
  const accepted = new AcceptedCosts();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo resolves it before this hook; typed optional
          const variables = request.variables ?? {};
          if (accepted.has(operation, variables)) return;
          // Variables that do not fit the operation are refused by execution (BAD_USER_INPUT) before anything runs.
          if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return;
          let cost: number;
          try {
            cost = estimateComplexity(schema, document, variables, operation.name?.value);
          } catch {
            // e.g. fragments spread so often that estimating alone would take too long (graphql-query-complexity's node cap)
            throw refusal(`Query complexity could not be estimated within the limit of ${maxComplexity}.`, { limit: maxComplexity });
          }
          if (!(cost <= maxComplexity)) {
            throw refusal(`Query complexity limit of ${maxComplexity} exceeded, found ${cost}.`, { limit: maxComplexity, cost });
          }
          accepted.add(schema, operation, variables);
        },
      };
    },
  };
}

/**
 * Operations already judged within the limit, so the cost is estimated once per document rather than per request
 * (Apollo keeps parsed, validated documents, so an operation is the same object each time it comes back). A cost
 * depends on the document and on the variables its estimators read: those given as `first` and those of
 * directives (@skip/@include decide what is counted). Any other variable (an id, a code) changes nothing, so an
 * operation without such variables is judged once; one with them, once per combination of their values.
 *
 * Only acceptances are kept: a refusal is judged again each time, exactly as before. An acceptance holds whatever
 * the other variables are: were they wrong, execution refuses them anyway, as it would without this.
 */
class AcceptedCosts {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, { costVariables: string[]; accepted: Set<string> }>();

  has(operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
    const entry = this.byOperation.get(operation);
    return !!entry && entry.accepted.has(costKey(entry.costVariables, variables));
  }

  add(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): void {
    let entry = this.byOperation.get(operation);
    if (!entry) this.byOperation.set(operation, (entry = { costVariables: costVariablesOf(schema, operation), accepted: new Set() }));
    // Bounded: a client cycling through values of `first` cannot grow it without end.
    if (entry.accepted.size >= MAX_ACCEPTED_PER_OPERATION) entry.accepted.clear();
    entry.accepted.add(costKey(entry.costVariables, variables));
  }
}

const MAX_ACCEPTED_PER_OPERATION = 256;

/** The values of the variables a cost depends on, a given null told apart from one not given. */
function costKey(costVariables: string[], variables: Record<string, unknown>): string {
  return costVariables.length ? JSON.stringify(costVariables.map((name) => (name in variables ? [variables[name]] : []))) : '';
}

/**
 * The variables an estimate can read: those inside a `first` argument (paginationEstimator), inside a field's
 * arguments when the field carries its own `complexity` (fieldExtensionsEstimator), and inside directives. Fragments
 * lie outside the operation, so an operation spreading one depends on all its variables (rare; judged per request).
 */
function costVariablesOf(schema: GraphQLSchema, operation: OperationDefinitionNode): string[] {
  const all = (operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value);
  const read = new Set<string>();
  const collect = (node: ASTNode) => visit(node, { Variable: (variable) => void read.add(variable.name.value) });
  let spreadsFragment = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(typeInfo, {
      Argument: (argument) => {
        if (argument.name.value === 'first' || typeInfo.getFieldDef()?.extensions.complexity !== undefined) collect(argument);
      },
      Directive: (directive) => void collect(directive),
      FragmentSpread: () => {
        spreadsFragment = true;
        return BREAK;
      },
    }),
  );
  return spreadsFragment ? all : [...read];
}

/** The cost of a document's operation with these variables (graphql-query-complexity with the rules above). */
export function estimateComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: ESTIMATORS });
}

function refusal(message: string, details: { limit: number; cost?: number }): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexityLimit: details.limit, complexity: details.cost, http: { status: 400 } },
  });
}

/** Rows a `first` asks for, never throwing and never negative: out of range is the resolver's BAD_USER_INPUT. */
function pageSize(first: unknown, fallback: unknown): number {
  const value = typeof first === 'number' && Number.isFinite(first) ? first : typeof fallback === 'number' ? fallback : MAX_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(value), 0), MAX_PAGE_SIZE);
}

/** A Relay connection's `edges`/`nodes` list is its page: the connection field already counted its rows. */
function isConnection(type: unknown): boolean {
  return type instanceof GraphQLObjectType && 'pageInfo' in type.getFields();
}

const paginationEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const first = field.args.find((arg) => arg.name === 'first');
  if (!first) return undefined;
  return 1 + pageSize(args.first, first.defaultValue) * (1 + childComplexity);
};

/** Introspection (when it is on) answers from the schema in memory: its lists are not rows. */
const introspectionEstimator: ComplexityEstimator = ({ type, field, childComplexity }) =>
  type.name.startsWith('__') || field.name.startsWith('__') ? 1 + childComplexity : undefined;

const listEstimator: ComplexityEstimator = ({ type, field, childComplexity }) => {
  const fieldType = getNullableType(field.type);
  if (!isListType(fieldType) || !isCompositeType(getNamedType(fieldType)) || isConnection(type)) return undefined;
  return 1 + ASSUMED_LIST_SIZE * childComplexity;
};

const ESTIMATORS: ComplexityEstimator[] = [
  fieldExtensionsEstimator(),
  introspectionEstimator,
  paginationEstimator,
  listEstimator,
  simpleEstimator({ defaultComplexity: 1 }),
];
