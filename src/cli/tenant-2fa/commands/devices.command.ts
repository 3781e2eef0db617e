import { Command, Option } from 'commander';
import { CliForgetRememberedDeviceDocument, CliForgetRememberedDevicesDocument, CliRememberedDevicesDocument } from '../../../client/generated/graphql';
import { describeUserAgent } from '../../../client/user-agent';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { isGatewayError } from '../gateway-client';
import { findTenant } from '../lookups';
import { shellArg } from '../next-steps';
import { formatInstant, note, printJson, printLine, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';

/** devices list / forget: the devices (browsers, this CLI) a tenant remembers for you, skipping its challenge. */
export function registerDevicesCommands(program: Command): void {
  const devices = program
    .command('devices')
    .summary('your remembered devices in a tenant: list, forget')
    .description(
      'The devices a tenant remembers for you (`enter --remember-device`, or "Remember this device" in the console): they skip its challenge until the tenant\'s days run out. List them, forget one or all.',
    )
    .addHelpText('after', example('tenant-2fa devices list --tenant "Acme Support"'));

  addCommonOptions(devices.command('list'))
    .summary('the devices remembered for you in a tenant')
    .description('List your remembered devices in a tenant, newest first: id, device, client address (of its last use), remembered, last used, until, and which one is this CLI (*).')
    .addOption(tenantOption())
    .addHelpText('after', example('tenant-2fa devices list --tenant "Acme Support" --json'))
    .action(async (options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await client.request(CliRememberedDevicesDocument, { tenantId: tenant.id }, tenant.id);
      if (!data.me) throw new CliError(`Your session at ${runtime.url} has ended.`, ExitCode.NOT_SIGNED_IN, { code: 'UNAUTHENTICATED', hint: 'Run `tenant-2fa login`.' });
      if (runtime.json) return printJson(data);
      if (!data.me.rememberedDevices.length) return printLine(`No device is remembered in ${tenant.name}.`);
      printTable(data.me.rememberedDevices, [
        { header: '', value: (d) => (d.current ? '*' : '') },
        { header: 'ID', value: (d) => d.id },
        { header: 'DEVICE', value: (d) => (d.userAgent ? describeUserAgent(d.userAgent) : '-') },
        { header: 'CLIENT IP', value: (d) => d.clientIp ?? '-' },
        { header: 'REMEMBERED', value: (d) => formatInstant(d.createdAt) },
        { header: 'LAST USED', value: (d) => formatInstant(d.lastUsedAt) },
        { header: 'UNTIL', value: (d) => formatInstant(d.expiresAt) },
      ]);
      note('* this device (the one this CLI was remembered as).');
    });

  addCommonOptions(devices.command('forget'))
    .summary('forget one remembered device, or all of them')
    .description('Forget one of your remembered devices in a tenant by its id (from `devices list`), or with --all every one: each is asked for the second factor again at its next sign-in.')
    .argument('[id]', 'the device id, from `tenant-2fa devices list`')
    .addOption(tenantOption())
    .addOption(new Option('--all', 'forget every device remembered for you in the tenant, this one included'))
    .addHelpText('after', example('tenant-2fa devices forget --all --tenant "Acme Support"'))
    .action(async (id: string | undefined, options: CommonOptions & { tenant: string; all?: boolean }) => {
      if (Boolean(id) === Boolean(options.all)) throw usageError('Give a device id, or --all (not both).', 'Run `tenant-2fa devices list --tenant TENANT` for the ids.');
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      if (options.all) {
        const data = await client.request(CliForgetRememberedDevicesDocument, { tenantId: tenant.id });
        client.devices?.forget(tenant.id);
        if (runtime.json) return printJson(data);
        return printLine(`Forgot ${data.forgetRememberedDevices} device(s) in ${tenant.name}.`);
      }
      // Is it this CLI's own device? Then its kept secret goes too.
      const listed = await client.request(CliRememberedDevicesDocument, { tenantId: tenant.id }, tenant.id);
      const isThisDevice = listed.me?.rememberedDevices.find((device) => device.current)?.id === id;
      const data = await client.request(CliForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: id! }).catch((error: unknown) => {
        if (!isGatewayError(error, 'NOT_FOUND', 'BAD_USER_INPUT')) throw error;
        throw new CliError(`No device ${id} is remembered for you in ${tenant.name}.`, ExitCode.FAILURE, {
          code: 'NOT_FOUND',
          hint: `Run \`tenant-2fa devices list --tenant ${shellArg(options.tenant)}\` for the ids.`,
          requestId: error.requestId,
        });
      });
      if (isThisDevice) client.devices?.forget(tenant.id);
      if (runtime.json) return printJson(data);
      printLine(`Forgot device ${id} in ${tenant.name}.`);
    });
}
