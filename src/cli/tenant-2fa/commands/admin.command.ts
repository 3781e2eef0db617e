import type { Command } from 'commander';
import { example } from './help';
import { registerAdminAgentCommands } from './admin-agents.command';
import { registerAdminAuditCommand } from './admin-audit.command';
import { registerAdminSetCommand } from './admin-set.command';
import { registerAdminSsoCommands } from './admin-sso.command';

/** admin …: what a tenant's OWNER or ADMIN does. Each command meets the gate as `enter` does. */
export function registerAdminCommands(program: Command): void {
  const admin = program
    .command('admin')
    .summary('tenant administration (OWNER or ADMIN)')
    .description("Tenant administration (OWNER or ADMIN): members' two-factor, resets, the audit log, tenant settings, the identity provider (sso). When the tenant asks for your second factor first, you are prompted for it.")
    .addHelpText('after', example('tenant-2fa admin agents --tenant "Acme Support" --2fa off'));
  registerAdminAgentCommands(admin);
  registerAdminAuditCommand(admin);
  registerAdminSetCommand(admin);
  registerAdminSsoCommands(admin);
}
