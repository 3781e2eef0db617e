import type { Command } from 'commander';
import { CliBeginTotpEnrolmentDocument, CliConfirmTotpEnrolmentDocument, CliRemoveTotpAuthenticatorDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant } from '../lookups';
import { shellArg } from '../next-steps';
import { formatInstant, note, printJson, printLine, printQrCode } from '../output';
import { askLine, readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, reportContext, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printMyFactors, printRecoveryCodes, printTwoFactorStatus } from './two-factor-status';

interface TenantOptions extends CommonOptions {
  tenant: string;
}

/** totp start / confirm / remove: an authenticator app in one tenant. */
export function registerTotpCommands(program: Command): void {
  const totp = program
    .command('totp')
    .summary('your authenticator app: start, confirm, remove')
    .description('Set up an authenticator app (TOTP) for a tenant: `start`, then `confirm` with a code from the app; `remove` takes it away while a passkey remains.')
    .addHelpText('after', example('tenant-2fa totp start --tenant "Acme Support"'));

  addCommonOptions(totp.command('start'))
    .summary('begin: QR code and secret for your app')
    .description('Begin setting up an authenticator app: asks for your password, prints a QR code to scan, the secret to type, and until when it is valid.')
    .addOption(tenantOption())
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('tenant-2fa totp start --tenant "Acme Support"'))
    .action(async (options: TenantOptions & { passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await client.request(CliBeginTotpEnrolmentDocument, { tenantId: tenant.id, password });
      if (runtime.json) return printJson(data);
      const enrolment = data.beginTotpEnrolment;
      printLine(`Scan this QR code with your authenticator app (Google Authenticator, Authy, 1Password, …):`);
      await printQrCode(enrolment.otpauthUri);
      printLine(`Or type this secret: ${groupForTyping(enrolment.secret)}`);
      printLine(`Valid until:         ${formatInstant(enrolment.expiresAt)}`);
      note(`Next: \`tenant-2fa totp confirm --tenant ${shellArg(options.tenant)} --code CODE\` with the code your app shows.`);
    });

  addCommonOptions(totp.command('confirm'))
    .summary('finish with a code; prints recovery codes once')
    .description('Finish setting up the authenticator app with a code from it: turns two-factor on and prints your recovery codes, once.')
    .addOption(tenantOption())
    .option('--code <code>', 'the 6-digit code your app shows (asked for when left out)')
    .addHelpText('after', example('tenant-2fa totp confirm --tenant "Acme Support" --code 123456'))
    .action(async (options: TenantOptions & { code?: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const code = options.code ?? (await askLine('Code from your authenticator app'));
      if (!code) throw usageError('No code given.', 'Pass --code CODE with the code your app shows.');
      reportContext.confirmingSetup = true;
      const data = await client.request(CliConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code });
      if (runtime.json) return printJson(data);
      const { codes, status } = data.confirmTotpEnrolment;
      printLine(`Two-factor authentication is on in ${tenant.name}.`);
      printLine();
      printRecoveryCodes(codes, printLine, tenant.recoveryCodeVisibility);
      printTwoFactorStatus(status);
    });

  addCommonOptions(totp.command('remove'))
    .summary('remove the app; your passkeys stay')
    .description(
      "Remove your authenticator app in a tenant, keeping your passkeys and recovery codes; asks for your password. Refused (LAST_FACTOR) when no passkey remains: add one, or turn two-factor off with `disable`. Needs this session to have passed the tenant's challenge; asks for it at a terminal.",
    )
    .addOption(tenantOption())
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa totp remove --tenant "Acme Support" --password-stdin'))
    .action(async (options: TenantOptions & { passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRemoveTotpAuthenticatorDocument, { tenantId: tenant.id, password }));
      if (runtime.json) return printJson(data);
      printLine(`Your authenticator app is removed in ${tenant.name}; your passkeys and recovery codes stay.`);
      printMyFactors(data.removeTotpAuthenticator);
    });
}


/** A base32 secret in groups of four, as authenticator apps accept it typed. */
export function groupForTyping(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}
