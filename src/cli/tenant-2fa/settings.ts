import os from 'node:os';
import path from 'node:path';

export const DEFAULT_GATEWAY_URL = 'http://localhost:4000/graphql';

export interface Settings {
  /** GATEWAY_URL, else the local default; `--url` overrides it per command. */
  gatewayUrl: string;
  /** `$XDG_CONFIG_HOME/tenant-2fa/credentials.json`, else `~/.config/tenant-2fa/credentials.json`. */
  credentialsPath: string;
  /**
   * A browser can be opened here (`login --web`, `passkeys add`): macOS and Windows always have one; elsewhere only
   * with a desktop (DISPLAY or WAYLAND_DISPLAY). Without, the CLI prints the address instead.
   */
  canOpenBrowser: boolean;
}

/** The CLI's only reader of the environment. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // The XDG base directory spec says to ignore a relative XDG_CONFIG_HOME.
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return {
    gatewayUrl: env.GATEWAY_URL?.trim() || DEFAULT_GATEWAY_URL,
    credentialsPath: path.join(configHome, 'tenant-2fa', 'credentials.json'),
    canOpenBrowser: process.platform === 'darwin' || process.platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY),
  };
}
