import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Serves the web console (the single-page app built into dist/web) on every GET path the API does not own.
 * Answers false when it did not handle the request.
 */
export type ConsoleAssets = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

export function createConsoleAssets(_dir: string): ConsoleAssets {
  return async () => false;
}
