import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, CliUser } from './cli-process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * The built CLI in a real pseudo-terminal: panes of a tmux server of the test's own (`name`), keys typed into
 * them and the screen read back. `user` is the CLI user a pane runs as unless `open` is given another.
 */
export function tmuxTerminal(name: string, options: { width: number; timeoutMs: number; user: () => CliUser }) {
  const socket = `${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-S', '-100', '-t', session);
  return {
    screen,
    type: (session: string, text: string) => tmux('send-keys', '-t', session, '-l', text),
    pressEnter: (session: string) => tmux('send-keys', '-t', session, 'Enter'),

    /** Runs the CLI in a new pane; the pane prints EXIT=<code> when it ends, and stays for the test to read. */
    open(session: string, args: string[], cliUser = options.user()) {
      const script = path.join(cliUser.home, `${session}.sh`);
      const env = Object.entries(cliUser.env).map(([key, value]) => `export ${key}='${value}'`);
      const quoted = args.map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(' ');
      writeFileSync(script, [...env, `'${process.execPath}' '${CLI_PATH}' ${quoted}`, 'echo "EXIT=$?"', 'sleep 120', ''].join('\n'));
      tmux('new-session', '-d', '-s', session, '-x', String(options.width), '-y', '50', `sh '${script}'`);
    },

    async waitFor(session: string, pattern: RegExp, timeoutMs = options.timeoutMs): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen(session);
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`the screen never showed ${pattern}:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },

    close: () => {
      if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
    },
  };
}
