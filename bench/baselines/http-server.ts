import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** baseline-http: a bare node:http server answering a fixed small JSON to every request. */
const BODY = JSON.stringify({ data: { hello: 'world' } });

const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`baseline-http ready on ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
