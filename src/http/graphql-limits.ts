import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * Limits on the shape of a document, checked before anything runs; a request over one gets a GraphQL
 * validation error naming the limit. Aliases are capped low enough that a document cannot carry many guesses
 * at a code (each answer is counted anyway), high enough for real clients.
 */
export function graphqlLimits(options: { hideFieldSuggestions: boolean }) {
  return new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 30 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: 5000 },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }).protect();
}
