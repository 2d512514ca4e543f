/**
 * The HTTP endpoint of the HTTP sink benchmark, in its own process so it does not share the
 * worker's CPU: counts the records of each request body (newline-separated) and answers 200, or
 * 503 for the fraction of requests given as the first argument. Prints `port <n>` once listening
 * and `delivered <n>` every 100 ms.
 */
import { createServer } from 'node:http';

const failRate = Number(process.argv[2] ?? 0);
let delivered = 0;
let requests = 0;
const server = createServer((req, res) => {
  let lines = 1;
  req.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  });
  req.on('end', () => {
    requests++;
    // Every tenth request fails when failRate is 0.1 (deterministic spread).
    if (failRate > 0 && Math.floor(requests * failRate) !== Math.floor((requests - 1) * failRate)) {
      res.writeHead(503).end();
      return;
    }
    delivered += lines;
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as { port: number }).port}\n`);
});
setInterval(() => process.stdout.write(`delivered ${delivered}\n`), 100).unref();
process.on('SIGTERM', () => process.exit(0));
