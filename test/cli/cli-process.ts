import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The built CLI, as `tenant-2fa` on the PATH runs it (package.json `bin`, `npm link`). */
export const CLI_PATH = path.resolve(__dirname, '../../dist/src/cli/tenant-2fa/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
}

/**
 * One user of the CLI: a home and XDG_CONFIG_HOME of its own (so its credentials file is its own), and the
 * gateway under test as GATEWAY_URL. Nothing else of the test's environment leaks in.
 */
export class CliUser {
  readonly home = mkdtempSync(path.join(tmpdir(), 'tenant-2fa-cli-'));
  readonly configHome = path.join(this.home, 'config');
  readonly credentialsPath = path.join(this.configHome, 'tenant-2fa', 'credentials.json');

  constructor(readonly gatewayUrl: string) {}

  get env(): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.home,
      XDG_CONFIG_HOME: this.configHome,
      GATEWAY_URL: this.gatewayUrl,
      NO_COLOR: '1',
    };
  }

  /** Runs `tenant-2fa …args` with `input` on stdin (closed either way: the child never sees a terminal). */
  run(args: string[], input = '', nodeOptions: string[] = []): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeOptions, CLI_PATH, ...args], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  /** The npm packages a run of `tenant-2fa …args` loaded (loaded-packages.cjs, preloaded), and how it ended. */
  async loadedPackages(args: string[], input = ''): Promise<CliResult & { packages: string[] }> {
    const result = await this.run(args, input, ['--require', path.join(__dirname, 'loaded-packages.cjs')]);
    const listed = /\nLOADED_PACKAGES=(.*)\n/.exec(result.stderr)?.[1];
    if (!listed) throw new Error(`tenant-2fa ${args.join(' ')} printed no package list: ${result.stderr}`);
    return { ...result, packages: JSON.parse(listed) as string[] };
  }

  /** The data of a `--json` run that must succeed. */
  async json<T = Record<string, unknown>>(args: string[], input = ''): Promise<T> {
    const result = await this.run([...args, '--json'], input);
    if (result.code !== 0) throw new Error(`tenant-2fa ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  remove(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** A running `tenant-2fa` whose output is read as it comes (the code is printed before it waits). */
export class RunningCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(user: CliUser, args: string[]) {
    this.child = spawn(process.execPath, [CLI_PATH, ...args], { env: user.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.stdin!.end();
    this.exited = new Promise((resolve) => this.child.once('close', resolve));
  }

  /** The first match of `pattern` in what it printed so far or prints within the timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout + this.stderr);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`tenant-2fa printed no ${pattern}: ${this.stdout}${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}
