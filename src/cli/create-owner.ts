import 'reflect-metadata';
import { password as passwordPrompt } from '@inquirer/prompts';
import { validateSync } from 'class-validator';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { AgentEntity } from '../db/entities';
import { DomainError } from '../errors/domain-error';
import { StartupError } from '../errors/startup-error';
import { IsDisplayName, IsEmailAddress, IsNewPassword } from '../graphql/validation';
import { createServices } from '../services';

const USAGE = `Usage: npm run create-owner -- --email EMAIL --tenant "TENANT NAME" [--name "YOUR NAME"]

Creates an agent (its address counted as verified) and a tenant it owns, against the database directly
(DATABASE_URL, ENCRYPTION_KEYS as for the gateway): the way to start from an empty database, whatever SIGN_UP
says. The password is read from standard input: typed at a terminal (not shown), or piped in:
  printf %s "$PASSWORD" | npm run --silent create-owner -- --email owner@example.com --tenant "Example"`;

/** The same rules as signUp's arguments (src/graphql/validation.ts). */
class OwnerInput {
  @IsEmailAddress() email!: string;
  @IsNewPassword() password!: string;
  @IsDisplayName() name!: string;
  @IsDisplayName() tenant!: string;
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, tenant: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return console.log(USAGE);
  if (!values.email || !values.tenant) throw new UsageError('--email and --tenant are required.');

  const input = Object.assign(new OwnerInput(), {
    email: values.email,
    tenant: values.tenant,
    name: values.name ?? values.email.split('@')[0],
    password: await readPassword(),
  });
  const problems = validateSync(input).flatMap((error) => Object.values(error.constraints ?? {}));
  if (problems.length) throw new UsageError(problems.join('\n'));

  const config = loadConfig();
  config.warnings.forEach((warning) => console.warn(`warning: ${warning}`));
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    const { accounts, tenancy } = createServices(db, config, systemClock);
    const now = systemClock.now();
    const agent = { ...(await accounts.newAgent(input, now)), emailVerifiedAt: now };
    // One transaction: no owner without its tenant, or the other way round.
    const tenant = await accounts.refusingTakenAddress(() =>
      db.transaction(async (tx) => {
        await tx.insert(AgentEntity, agent);
        return tenancy.createTenantWithin(tx, agent, input.tenant, null, now);
      }),
    );
    console.log(`Created ${agent.email}, OWNER of the tenant "${tenant.name}" (id ${tenant.id}).`);
    console.log(`Sign in with that address and password${config.publicUrl ? ` at ${config.publicUrl}/` : ''}.`);
  } finally {
    await db.close();
  }
}

/** Typed at a terminal (twice, shown as nothing), or the whole of a pipe without its final newline. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const options = { output: process.stderr };
    const first = await passwordPrompt({ message: 'Password for the new owner', validate: (value) => value.length > 0 || 'Type a password.' }, options);
    const again = await passwordPrompt({ message: 'The same password again' }, options);
    if (first !== again) throw new UsageError('The two passwords differ.');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!password) throw new UsageError('No password on standard input.');
  return password;
}

main().catch((error) => {
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') console.error('An account with this address exists already: sign in with it instead.');
  else if ((error as Error)?.name === 'ExitPromptError') console.error('Cancelled.');
  else console.error(error instanceof StartupError ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
