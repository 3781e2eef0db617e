// Preloaded into gateways the tests spawn (node --require): once the HTTP server listens, print the port it got,
// so the child can bind port 0 and no other process can take the port between the test choosing it and the bind.
const http = require('node:http');

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once('listening', () => process.stderr.write(`\nGATEWAY_PORT=${this.address().port}\n`));
  return listen.apply(this, args);
};
