/**
 * Log flooding: a client sending bad frames over and over must not write a warning per frame. The
 * first one is logged, the rest are counted and reported in one line with the count (here at
 * shutdown, which reports pending counts at once; otherwise at the end of the 10 s window).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, it } from 'node:test';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/broker/config.ts';
import { Broker } from '../../src/broker/server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-flood-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

interface Line {
  level: number;
  msg: string;
  suppressed?: number;
}

/** Sends one frame too short for a request header and waits until the broker closes the socket. */
function sendShortFrame(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(Buffer.from([0, 0, 0, 4, 1, 2, 3, 4])));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

it('repeated malformed frames log one warning plus one line with the count', async () => {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const broker = await Broker.start({ ...DEFAULT_CONFIG, port: 0, dataDir, logLevel: 'info' }, { logger });
  const FRAMES = 300;
  const about = (l: Line): boolean => l.msg.startsWith('frame too short for a request header');
  try {
    for (let i = 0; i < FRAMES; i += 30) {
      await Promise.all(Array.from({ length: 30 }, () => sendShortFrame(broker.port)));
    }
    assert.equal(lines.filter(about).length, 1, 'only the first bad frame is logged while they keep coming');
  } finally {
    await broker.stop();
  }
  await new Promise((r) => setImmediate(r));
  const logged = lines.filter(about);
  assert.equal(logged.length, 2);
  assert.equal(logged[1]!.suppressed, FRAMES - 1);
  assert.match(logged[1]!.msg, new RegExp(`\\(${FRAMES - 1} similar suppressed in the last \\d+ s\\)$`));
  assert.ok(
    logged.every((l) => l.level === 40),
    'logged as warnings',
  );
});
