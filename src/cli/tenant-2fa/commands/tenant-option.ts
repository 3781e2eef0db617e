import { Option } from 'commander';

/** `--tenant TENANT`, required by every tenant-scoped command. */
export function tenantOption(): Option {
  return new Option('--tenant <tenant>', 'tenant id or exact name').makeOptionMandatory();
}
