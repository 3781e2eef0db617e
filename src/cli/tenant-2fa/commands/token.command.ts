import type { Command } from 'commander';
import { CliMintAccessTokenDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { findTenant, findWorkspace } from '../lookups';
import { printJson, printLine } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';

interface TokenOptions extends CommonOptions {
  tenant: string;
  workspace?: string;
  audience?: string;
}

/** token: an access token for the services behind the gateway (mintAccessToken). */
export function registerTokenCommand(program: Command): void {
  addCommonOptions(program.command('token'))
    .summary('an access token for the services behind the gateway')
    .description(
      'Mint a short-lived access token (a signed JWT) for a tenant, or one of its workspaces, that the services behind the gateway verify: ' +
        'prints the token alone, for `Authorization: Bearer`; with --json also its expiry and claims. Asks for the second factor first where entering would.',
    )
    .addOption(tenantOption())
    .option('--workspace <workspace>', 'workspace id or exact name (default: the tenant itself)')
    .option('--audience <audience>', "the service it is for, one of the gateway's TOKEN_AUDIENCES (default: the first)")
    .addHelpText('after', example('curl -H "Authorization: Bearer $(tenant-2fa token --tenant "Acme Support" --workspace Billing)" https://api.example.com/reports'))
    .action(async (options: TokenOptions) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const workspaceId = options.workspace ? findWorkspace(tenant, options.workspace).id : undefined;
      const { mintAccessToken } = await behindGate(client, tenant, options.tenant, () =>
        client.request(CliMintAccessTokenDocument, { tenantId: tenant.id, workspaceId, audience: options.audience }),
      );
      if (runtime.json) return printJson(mintAccessToken);
      printLine(mintAccessToken.token);
    });
}
