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

interface CredentialsFile {
  version: 1;
  gateways: Record<string, StoredSession>;
}

/** Sessions per gateway URL in one JSON file, written whole (temporary file, then rename) with mode 0600. */
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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, gateways: {} };
      throw new CliError(`Cannot read ${this.filePath}: ${(error as Error).message}`, ExitCode.FAILURE);
    }
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      if (parsed && typeof parsed.gateways === 'object' && parsed.gateways !== null) return { version: 1, gateways: parsed.gateways };
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
