/**
 * The raw ingest sink: a TCP server that appends every received byte to a file (socket piped into
 * a write stream, no parsing). Run as its own process; prints `ingest listening on PORT`.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-ingest-'));
let n = 0;
const server = createServer((socket) => {
  socket.pipe(createWriteStream(join(dir, `conn-${n++}.bin`)));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(`ingest listening on ${typeof a === 'object' && a ? a.port : 0}`);
});
process.on('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
