import { Command, Option } from 'commander';
import { CliSessionsDocument, CliSignOutOtherSessionsDocument, CliSignOutSessionDocument } from '../../../client/generated/graphql';
import { describeUserAgent } from '../../../client/user-agent';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { isGatewayError } from '../gateway-client';
import { formatInstant, note, printJson, printLine, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';

/** sessions list / revoke: your own live sessions at this gateway, and signing them out. */
export function registerSessionsCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .summary('your live sessions: list, revoke')
    .description('Your own live sessions at this gateway (browsers, this CLI, scripts): list them, sign one or all others out.')
    .addHelpText('after', example('tenant-2fa sessions list'));

  addCommonOptions(sessions.command('list'))
    .summary('your live sessions, newest first')
    .description('List your live sessions, newest first: id, device (browser and system, from the User-Agent at sign-in; --json has it whole), client address, created, last used, and which one this CLI uses (*).')
    .addHelpText('after', example("tenant-2fa sessions list --json | jq -r '.me.sessions[] | select(.current | not) | .id'"))
    .action(async (options: CommonOptions) => {
      const runtime = new Runtime(options);
      const data = await (await runtime.signedIn()).client.request(CliSessionsDocument, {});
      if (!data.me) throw sessionEnded(runtime);
      if (runtime.json) return printJson(data);
      printTable(data.me.sessions, [
        { header: '', value: (s) => (s.current ? '*' : '') },
        { header: 'ID', value: (s) => s.id },
        // A device sign-in's own name ("tenant-2fa on build-01"), else the browser or client its User-Agent names.
        { header: 'DEVICE', value: (s) => s.clientName ?? (s.userAgent ? describeUserAgent(s.userAgent) : '-') },
        { header: 'CLIENT IP', value: (s) => s.clientIp ?? '-' },
        { header: 'CREATED', value: (s) => formatInstant(s.createdAt) },
        { header: 'LAST USED', value: (s) => formatInstant(s.lastUsedAt) },
      ]);
      note('* this session (the one this CLI signed in with).');
    });

  addCommonOptions(sessions.command('revoke'))
    .summary('sign out one session, or all the others')
    .description('Sign out one of your sessions by its id (from `sessions list`), or with --others every session but the one this CLI uses.')
    .argument('[id]', 'the session id, from `tenant-2fa sessions list`')
    .addOption(new Option('--others', 'sign out every other session (this one stays signed in)'))
    .addHelpText('after', example('tenant-2fa sessions revoke --others'))
    .action(async (id: string | undefined, options: CommonOptions & { others?: boolean }) => {
      if (Boolean(id) === Boolean(options.others)) throw usageError('Give a session id, or --others (not both).', 'Run `tenant-2fa sessions list` for the ids.');
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      if (options.others) {
        const data = await client.request(CliSignOutOtherSessionsDocument, {});
        if (runtime.json) return printJson(data);
        return printLine(`Signed out ${data.signOutOtherSessions} other session(s); this one stays signed in.`);
      }
      // Is it the session this CLI uses? Then the stored token goes with it, as with `logout`.
      const { me } = await client.request(CliSessionsDocument, {});
      if (!me) throw sessionEnded(runtime);
      const current = me.sessions.find((session) => session.current)?.id === id;
      const data = await client.request(CliSignOutSessionDocument, { sessionId: id! }).catch((error: unknown) => {
        if (!isGatewayError(error, 'NOT_FOUND', 'BAD_USER_INPUT')) throw error;
        throw new CliError(`You have no live session ${id}.`, ExitCode.FAILURE, { code: 'NOT_FOUND', hint: 'Run `tenant-2fa sessions list` for the ids.', requestId: error.requestId });
      });
      if (current) runtime.store.forget(runtime.url);
      if (runtime.json) return printJson(data);
      printLine(`Signed out session ${id}.`);
      if (current) note('That was the session this CLI used: run `tenant-2fa login` to sign in again.');
    });
}

function sessionEnded(runtime: Runtime): CliError {
  return new CliError(`Your session at ${runtime.url} has ended.`, ExitCode.NOT_SIGNED_IN, { code: 'UNAUTHENTICATED', hint: 'Run `tenant-2fa login`.' });
}
