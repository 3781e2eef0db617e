import { Command, Option } from 'commander';
import { CliEnterTenantDocument, CliEnterWorkspaceDocument } from '../../../client/generated/graphql';
import { Answered, answerChallenge, setupRequired } from '../challenge';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { findTenant, findWorkspace } from '../lookups';
import { printJson, printLine } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';

interface EnterOptions extends CommonOptions {
  workspace?: string;
  code?: string;
  recoveryCode?: string;
  rememberDevice?: boolean;
  maxAge?: string;
}

/** enter: enterTenant / enterWorkspace, answering the challenge when one comes. */
export function registerEnterCommand(program: Command): void {
  addCommonOptions(program.command('enter'))
    .summary('enter a tenant or workspace, answering its challenge')
    .description('Enter a tenant (or one of its workspaces) and answer its two-factor challenge: prints GRANTED, or what to do next.')
    .argument('<tenant>', 'tenant id or exact name')
    .option('--workspace <workspace>', 'workspace id or exact name (default: the tenant itself)')
    .addOption(new Option('--code <code>', 'the 6-digit code from your authenticator app (asked for when a challenge comes and none is given)').conflicts('recoveryCode'))
    .addOption(new Option('--recovery-code <code>', 'one of your recovery codes, instead of an app code'))
    .option('--max-age <seconds>', 'a pass at most this old: a fresh challenge otherwise, even with standing (what privileged actions ask for)')
    .option('--remember-device', "when a challenge comes, ask the tenant to remember this device (where it allows it): later sign-ins here skip its challenge until the tenant's days run out")
    .addHelpText('after', example('tenant-2fa enter "Acme Support" --workspace Billing --code 123456 --remember-device'))
    .action(async (tenantRef: string, options: EnterOptions) => {
      const maxAgeSeconds = options.maxAge === undefined ? null : Number(options.maxAge);
      if (maxAgeSeconds !== null && !(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 0)) throw usageError(`--max-age takes whole seconds (0 or more), got ${options.maxAge}.`);
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, tenantRef);
      // A device this CLI was remembered on presents its secret: the tenant may skip its challenge.
      const enter = (max: number | null): Promise<Answered> =>
        options.workspace
          ? client
              .request(CliEnterWorkspaceDocument, { workspaceId: findWorkspace(tenant, options.workspace).id, maxAgeSeconds: max }, tenant.id)
              .then((d) => ({ access: d.enterWorkspace, data: d }))
          : client.request(CliEnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: max }, tenant.id).then((d) => ({ access: d.enterTenant, data: d }));
      let { access, data }: Answered = await enter(maxAgeSeconds);
      if (access.status === 'TWO_FACTOR_CHALLENGE_REQUIRED') {
        const given = { code: options.code, recoveryCode: options.recoveryCode, rememberDevice: options.rememberDevice };
        // After a sign-in through the browser, the same enter without a max age: the approval is the pass.
        ({ access, data } = await answerChallenge(client, access, given, tenantRef, { maxAgeSeconds, reenter: () => enter(null) }));
      }
      if (runtime.json) printJson(data);
      if (access.status === 'TWO_FACTOR_SETUP_REQUIRED') throw setupRequired(access, tenantRef);
      if (access.status !== 'GRANTED') throw new CliError(`${access.status}: access was not granted.`, ExitCode.SECOND_FACTOR, { code: access.status });
      if (!runtime.json) printLine(`GRANTED  ${access.tenant.name}${access.workspace ? ` / ${access.workspace.name}` : ''}${access.standing === 'REMEMBERED_DEVICE' ? '  (remembered device)' : ''}`);
    });
}
