import { ApolloArmor } from '@escape.tech/graphql-armor';

const MAX_TOKENS = 2000;

/**
 * Limits on the shape of a document, checked before anything runs; a request over one gets a GraphQL
 * validation error naming the limit. Aliases are capped low enough that a document cannot carry many guesses
 * at a code (each answer is counted anyway), high enough for real clients.
 *
 * The token limit is graphql-js's own parse option: armor's Apollo max-tokens plugin re-parses in a hook whose
 * errors Apollo treats as unexpected, so every syntax error became a 500 (graphql-armor issues #571, #751).
 */
export function graphqlLimits(options: { hideFieldSuggestions: boolean }) {
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 30 },
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: 5000 },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }).protect();
  return { ...armor, parseOptions: { maxTokens: MAX_TOKENS } };
}
