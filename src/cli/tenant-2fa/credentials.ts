import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode } from './exit-codes';

/** What `login` keeps for one gateway URL. The token is a bearer secret: the file is the user's alone (0600). */
export interface StoredSession {
  token: string;
  agentId: string;
  email: string;
  expiresAt: string;
}

/**
 * A device secret a tenant gave this CLI for one agent (`enter --remember-device`): sent back in the
 * X-Remembered-Device header, it skips that tenant's challenge until the tenant's days run out. As much a secret
 * as the session token, it is kept beside it; unlike the token it outlives `logout` (it is this device's, not
 * the session's).
 */
export interface StoredDevice {
  agentId: string;
  token: string;
}

interface CredentialsFile {
  version: 1;
  gateways: Record<string, StoredSession>;
  /** Per gateway URL, per tenant id. */
  devices: Record<string, Record<string, StoredDevice>>;
}

/** Sessions (and remembered devices) per gateway URL in one JSON file, written whole (temporary file, then rename) with mode 0600. */
export class CredentialStore {
  constructor(readonly filePath: string) {}

  get(url: string): StoredSession | undefined {
    return this.read().gateways[url];
  }

  save(url: string, session: StoredSession): void {
    const file = this.read();
    file.gateways[url] = session;
    this.write(file);
  }

  /** The device secret kept for this agent in the tenant, if any. */
  device(url: string, agentId: string, tenantId: string): string | undefined {
    const device = this.read().devices[url]?.[tenantId];
    return device?.agentId === agentId ? device.token : undefined;
  }

  saveDevice(url: string, tenantId: string, device: StoredDevice): void {
    const file = this.read();
    file.devices[url] = { ...file.devices[url], [tenantId]: device };
    this.write(file);
  }

  forgetDevice(url: string, tenantId: string): void {
    const file = this.read();
    if (!file.devices[url]?.[tenantId]) return;
    delete file.devices[url][tenantId];
    this.write(file);
  }

  /** Forgets the session of one URL; true when there was one. */
  forget(url: string): boolean {
    const file = this.read();
    if (!file.gateways[url]) return false;
    delete file.gateways[url];
    this.write(file);
    return true;
  }

  private read(): CredentialsFile {
    let text: string;
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, gateways: {}, devices: {} };
      throw new CliError(`Cannot read ${this.filePath}: ${(error as Error).message}`, ExitCode.FAILURE);
    }
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      if (parsed && typeof parsed.gateways === 'object' && parsed.gateways !== null) {
        const devices = typeof parsed.devices === 'object' && parsed.devices !== null ? parsed.devices : {};
        return { version: 1, gateways: parsed.gateways, devices };
      }
    } catch {
      // fall through: a damaged file is reported, never silently overwritten
    }
    throw new CliError(`${this.filePath} is not a credentials file this CLI wrote.`, ExitCode.FAILURE, {
      hint: 'Move it away, then run `tenant-2fa login` again.',
    });
  }

  private write(file: CredentialsFile): void {
    const dir = path.dirname(this.filePath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600); // the mode above is masked by the umask; this is not
    renameSync(temporary, this.filePath);
  }
}
