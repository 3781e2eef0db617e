import type { Command } from 'commander';
import {
  RemoveTenantIdentityProviderDocument,
  SetTenantIdentityProviderDocument,
  TenantIdentityProviderDocument,
  type IdentityProviderPartsFragment,
} from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant } from '../lookups';
import { note, onOff, printFields, printJson, printLine } from '../output';
import { confirmChange, isInteractive, readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';

interface SetOptions extends CommonOptions {
  tenant: string;
  issuer?: string;
  clientId?: string;
  clientSecretStdin?: boolean;
  domains?: string;
  required?: string;
  justInTime?: string;
  trustProviderMfa?: string;
}

/**
 * admin sso show|set|remove: the tenant's OpenID Connect identity provider. Reading it is for OWNER and ADMIN;
 * setting and removing it for the OWNER, with a recent second factor (the gate prompt asks for it). The client
 * secret is write-only: piped in with --client-secret-stdin, or typed at a hidden prompt; never printed.
 */
export function registerAdminSsoCommands(admin: Command): void {
  const sso = admin
    .command('sso')
    .summary("the tenant's identity provider (single sign-on)")
    .description(
      "The tenant's OpenID Connect identity provider: agents of its e-mail domains sign in through it, then the tenant's second factor. Register a confidential client there with the redirect URI <gateway>/sso/callback and the scopes openid email profile.",
    )
    .addHelpText('after', example('tenant-2fa admin sso show --tenant "Acme Support"'));

  addCommonOptions(sso.command('show'))
    .summary('the provider settings (never the secret)')
    .description("Show the tenant's identity provider: issuer, client id, domains and the three switches. The client secret is never shown.")
    .addOption(tenantOption())
    .addHelpText('after', example('tenant-2fa admin sso show --tenant "Acme Support" --json'))
    .action(async (options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await behindGate(client, tenant, options.tenant, () => client.request(TenantIdentityProviderDocument, { tenantId: tenant.id }));
      if (runtime.json) return printJson(data);
      const provider = data.tenant?.identityProvider;
      if (!provider) return printLine(`${tenant.name} has no identity provider: its agents sign in with their passwords.`);
      printProvider(provider);
    });

  addCommonOptions(sso.command('set'))
    .summary('set or change the provider (OWNER)')
    .description(
      'Set the identity provider, or change it: options not given keep their current values (the secret too, unless --client-secret-stdin is given or, for a first provider, typed at the prompt). --required refuses password sign-in for the domains; --just-in-time makes unknown verified addresses agents on first sign-in; --trust-provider-mfa lets an id_token whose amr shows a second factor stand for the tenant\'s challenge.',
    )
    .addOption(tenantOption())
    .option('--issuer <url>', 'the OpenID issuer, e.g. https://idp.example.com/realms/acme')
    .option('--client-id <id>', "the gateway's client id at the provider")
    .option('--client-secret-stdin', 'read the client secret from stdin (else a hidden prompt for a first provider)')
    .option('--domains <list>', 'the e-mail domains it serves, comma-separated, e.g. acme.example,support.acme.example')
    .option('--required <on|off>', 'refuse password sign-in for these domains')
    .option('--just-in-time <on|off>', 'add unknown verified addresses as AGENT members on first sign-in')
    .option('--trust-provider-mfa <on|off>', "let the provider's multi-factor sign-in stand for the tenant's challenge")
    .addHelpText('after', example('printf %s "$SECRET" | tenant-2fa admin sso set --tenant "Acme Support" --issuer https://idp.acme.example/realms/acme --client-id tenant-2fa --domains acme.example --client-secret-stdin'))
    .action(async (options: SetOptions) => {
      const switches = { required: onOffOption('--required', options.required), justInTimeMembers: onOffOption('--just-in-time', options.justInTime), trustProviderMfa: onOffOption('--trust-provider-mfa', options.trustProviderMfa) };
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const current = (await behindGate(client, tenant, options.tenant, () => client.request(TenantIdentityProviderDocument, { tenantId: tenant.id }))).tenant?.identityProvider ?? null;
      const issuer = options.issuer ?? current?.issuer;
      const clientId = options.clientId ?? current?.clientId;
      const emailDomains = options.domains !== undefined ? options.domains.split(/[\s,]+/).filter(Boolean) : current?.emailDomains;
      if (!issuer || !clientId || !emailDomains?.length) throw usageError('A first identity provider needs --issuer, --client-id and --domains.');
      let clientSecret = '';
      if (options.clientSecretStdin) clientSecret = await readPassword({ passwordStdin: true });
      else if (!current) {
        if (!isInteractive()) throw usageError('A first identity provider needs its client secret.', 'Pipe it in with --client-secret-stdin.');
        clientSecret = await readPassword({ message: 'Client secret (not shown)' });
      }
      const provider = {
        issuer,
        clientId,
        clientSecret,
        emailDomains,
        required: switches.required ?? current?.required ?? false,
        justInTimeMembers: switches.justInTimeMembers ?? current?.justInTimeMembers ?? false,
        trustProviderMfa: switches.trustProviderMfa ?? current?.trustProviderMfa ?? false,
      };
      const data = await behindGate(client, tenant, options.tenant, () => client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider }));
      if (runtime.json) return printJson(data);
      printLine(`${tenant.name} signs in through ${provider.issuer} for ${emailDomains.join(', ')}.`);
      if (data.setTenantIdentityProvider.identityProvider) printProvider(data.setTenantIdentityProvider.identityProvider);
      if (!clientSecret) note('The client secret stored before is kept.');
    });

  addCommonOptions(sso.command('remove'))
    .summary('remove the provider (OWNER)')
    .description("Remove the tenant's identity provider: its domains sign in with passwords again, and its links to agents go.")
    .addOption(tenantOption())
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', example('tenant-2fa admin sso remove --tenant "Acme Support" --yes'))
    .action(async (options: CommonOptions & { tenant: string; yes?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      await confirmChange(`Remove the identity provider of ${tenant.name}? Its agents will sign in with their passwords.`, options);
      const data = await behindGate(client, tenant, options.tenant, () => client.request(RemoveTenantIdentityProviderDocument, { tenantId: tenant.id }));
      if (runtime.json) return printJson(data);
      printLine(`${tenant.name} has no identity provider now.`);
    });
}

function printProvider(provider: IdentityProviderPartsFragment): void {
  printFields([
    ['Issuer', provider.issuer],
    ['Client id', provider.clientId],
    ['Client secret', '(stored, never shown)'],
    ['Domains', provider.emailDomains.join(', ')],
    ['Required', onOff(provider.required)],
    ['Just-in-time members', onOff(provider.justInTimeMembers)],
    ['Trust provider MFA', onOff(provider.trustProviderMfa)],
  ]);
}

function onOffOption(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'on' && value !== 'off') throw usageError(`${name} takes on or off, not "${value}".`);
  return value === 'on';
}
