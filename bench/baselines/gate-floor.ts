import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { IncomingMessage } from 'node:http';
import { Arg, buildSchema, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { SESSION_LOOKUP } from '../../src/accounts/account.service';
import type { SessionIdentity } from '../../src/accounts/session-identity';
import { loadConfig } from '../../src/config';
import { hashSessionToken } from '../../src/crypto/tokens';
import { Database, openDatabase, sqlRows } from '../../src/db/database';
import { createLogger } from '../../src/logger';
import { decideAccess } from '../../src/two-factor/gate';
import { readWorkspaceAccess } from '../../src/two-factor/tenant-access';
import { serveApollo } from './apollo-http';

/**
 * baseline-gate-floor: what a gate check cannot do without, on the gateway's stack and nothing more. baseline-apollo's
 * server (the same Apollo options and node:http adapter) answering `enterWorkspace` from the gateway's own reads of
 * the bench's database: the bearer token hashed, the session looked up (the gateway's statement), the workspace
 * and the session's facts in its tenant read (`readWorkspaceAccess`, the gateway's statement), the gate's decision
 * (`decideAccess`), and one access-log line through the gateway's logger. No CORS, cookies, request ids, client
 * addresses, query limits, metrics, input checks, loaders or services.
 */
@ObjectType()
class Ref {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
class Access {
  @Field()
  status!: string;

  @Field(() => Ref)
  tenant!: Ref;

  @Field(() => Ref, { nullable: true })
  workspace!: Ref | null;

  @Field(() => Ref, { nullable: true })
  challenge!: Ref | null;
}

interface FloorContext {
  session: SessionIdentity | null;
}

let db: Database;

@Resolver()
class EnterResolver {
  // GraphQL requires a query type.
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  @Mutation(() => Access)
  async enterWorkspace(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() { session }: FloorContext): Promise<Access> {
    if (!session) throw new Error('Not signed in');
    const access = await readWorkspaceAccess(db, session, workspaceId, new Date());
    const role = access?.facts.role;
    if (!access || !role || !access.isWorkspaceMember) throw new Error('Workspace not found');
    const { facts, workspace } = access;
    const status = decideAccess({
      tenantTwoFactorEnabled: facts.tenant.twoFactorEnabled,
      policy: facts.tenant.twoFactorPolicy,
      role,
      isEnrolled: facts.authenticator?.state === 'ENABLED',
      standing: facts.standing,
      workspaceRequiresTwoFactor: workspace.twoFactorRequired,
      weakensTwoFactor: false,
      freshness: null,
    });
    return { status, tenant: facts.tenant, workspace, challenge: null };
  }
}

async function authenticate(req: IncomingMessage): Promise<SessionIdentity | null> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return null;
  const [row] = await sqlRows<{ id: string; agent_id: string }>(db.manager, SESSION_LOOKUP, [hashSessionToken(token), new Date()]);
  return row ? { sessionId: row.id, agentId: row.agent_id, clientIp: '127.0.0.1', userAgent: null } : null;
}

async function main(): Promise<void> {
  db = await openDatabase(loadConfig(process.env).database);
  const logger = createLogger('info');
  const schema = await buildSchema({ resolvers: [EnterResolver], validate: false });
  const apollo = new ApolloServer<FloorContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    introspection: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();

  serveApollo('baseline-gate-floor', apollo, {
    context: async (req) => ({ session: await authenticate(req) }),
    onRequest(req, res) {
      const startedAt = process.hrtime.bigint();
      res.once('finish', () => logger.info({ method: req.method, path: req.url, status: res.statusCode, ms: Number(process.hrtime.bigint() - startedAt) / 1e6 }, 'request'));
    },
    onStop: () => db.close(),
  });
}

void main();
