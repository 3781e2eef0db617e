import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { buildSchema, Query, Resolver } from 'type-graphql';
import { serveApollo } from './apollo-http';

/**
 * baseline-apollo: the same Apollo Server and type-graphql versions as the gateway, on node:http with the
 * same adapter style as src/server.ts (read the JSON body, HeaderMap, executeHTTPGraphQLRequest) and the
 * gateway's production Apollo options, answering `{ hello }`. No database, logging, metrics or limits.
 */
@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

async function main(): Promise<void> {
  const schema = await buildSchema({ resolvers: [HelloResolver], validate: { forbidUnknownValues: false } });
  const apollo = new ApolloServer<Record<string, never>>({
    schema,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    introspection: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageProductionDefault({ footer: false })],
  });
  await apollo.start();

  serveApollo('baseline-apollo', apollo, { context: async () => ({}) });
}

void main();
