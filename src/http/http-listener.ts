import { createServer, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from '../errors/startup-error';

/**
 * The gateway's HTTP server, which can listen before the gateway is built: main.ts binds the port first, so a
 * port in use stops the start with one line before anything is written (a development key, migrations, the
 * demo). Until `serve` hands it the gateway's handler, every request, /healthz included, answers 503 with
 * `Retry-After`: a load balancer keeps the process out of rotation while it migrates.
 */
export class HttpListener {
  readonly server: Server;
  private handler: RequestListener | undefined;

  constructor() {
    this.server = createServer((req, res) => (this.handler ? this.handler(req, res) : answerStarting(res)));
  }

  serve(handler: RequestListener): void {
    this.handler = handler;
  }

  /** Listens (once: a listener bound already answers where it listens); resolves to its http:// base URL. */
  async listen(port: number, host?: string): Promise<string> {
    if (!this.server.listening) {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(port, host, () => {
          this.server.off('error', reject);
          resolve();
        });
      }).catch((error: unknown) => {
        throw explainListenError(error, port, host);
      });
    }
    return `http://${host ?? 'localhost'}:${(this.server.address() as AddressInfo).port}`;
  }
}

function answerStarting(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ status: 'starting' }));
}

/** One line for the ways binding fails that a person can fix with PORT or HOST; anything else as it came. */
function explainListenError(error: unknown, port: number, host = 'every interface'): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new StartupError(
        `Port ${port} on ${host} is in use by another program (another gateway?): stop it, or set PORT to a free port, e.g. PORT=${port === 65535 ? 4001 : port + 1}.`,
      );
    case 'EACCES':
      return new StartupError(`Port ${port} needs privileges this process does not have: set PORT to 1024 or above (the default is 4000).`);
    case 'EADDRNOTAVAIL':
      return new StartupError(`HOST ${host} is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 or 0.0.0.0.`);
    default:
      return error;
  }
}
