import { connect, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of MariaDB that a test can cut, restore, cut at one statement, or slow down, to play
 * the database going away under a running gateway.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cutAt: { pattern: RegExp; hit: () => void } | null = null;
  private delay: { pattern: RegExp; ms: number; hit: () => void } | null = null;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /** The listener closes and every open connection is destroyed: the database is gone. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Listening again on the same port. */
  restore(): Promise<this> {
    return this.start();
  }

  /** Destroys the connection instead of forwarding the first client packet matching `pattern`; resolves then. */
  cutWhen(pattern: RegExp): Promise<void> {
    return new Promise((hit) => (this.cutAt = { pattern, hit }));
  }

  /** Holds the first client packet matching `pattern` for `ms`; resolves when it is caught. */
  delayWhen(pattern: RegExp, ms: number): Promise<void> {
    return new Promise((hit) => (this.delay = { pattern, ms, hit }));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (chunk) => client.write(chunk));
    // Client packets go one at a time through a queue, so a delayed one holds back those behind it.
    let queue = Promise.resolve();
    client.on('data', (chunk) => {
      queue = queue.then(async () => {
        const text = chunk.toString('latin1');
        if (this.cutAt?.pattern.test(text)) {
          const { hit } = this.cutAt;
          this.cutAt = null;
          client.destroy();
          upstream.destroy();
          return hit();
        }
        if (this.delay?.pattern.test(text)) {
          const { ms, hit } = this.delay;
          this.delay = null;
          hit();
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
  }
}
