/**
 * A damaged length field in an older segment: Fetch over it answers CORRUPT_MESSAGE, so kcat
 * (librdkafka) shows the error after delivering every record before the damage, instead of waiting
 * forever; the broker logs it once for the segment, with the offsets that cannot be read, however
 * often the client retries; later segments stay readable; and `samsa log:verify` finds it (exit 1,
 * file and position), after passing the same directory before the damage.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { samsaInProcess } from '../cli/run-cli.ts';
import { startBrokerProcess } from '../helpers/broker-process.ts';
import { run } from '../helpers/run.ts';

const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'samsa-corrupt-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const RECORDS = 3000;
const BAD_LENGTH = 1_000_000;

/** File positions of the batches in a segment file, walking the length fields. */
function batchPositions(file: string): number[] {
  const buf = fs.readFileSync(file);
  const out: number[] = [];
  for (let at = 0; at + 12 <= buf.length; at += 12 + buf.readInt32BE(at + 8)) out.push(at);
  return out;
}

describe('a corrupt batch in an older segment', () => {
  it('is answered CORRUPT_MESSAGE, logged once per segment, and reported by log:verify', async () => {
    const first = await startBrokerProcess(dataDir, ['--segment-bytes', '32768']);
    const lines = Array.from(
      { length: RECORDS },
      (_, i) => `record-${String(i).padStart(5, '0')}-${'x'.repeat(60)}`,
    );
    const produced = await run(
      'kcat',
      ['-b', first.bootstrap, '-P', '-t', 'ledger', '-X', 'batch.num.messages=40', '-X', 'linger.ms=0'],
      { input: `${lines.join('\n')}\n` },
    );
    assert.equal(produced.code, 0, produced.stderr);
    assert.equal(await first.stop(), 0);

    const healthy = await samsaInProcess(['log:verify', '--data-dir', dataDir, '--deep']);
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    assert.match(healthy.stdout, /no damage found/);

    const dir = path.join(dataDir, 'ledger-0');
    const segments = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .sort();
    assert.ok(segments.length >= 3, `several segments: ${segments.join(', ')}`);
    const damaged = path.join(dir, segments[0]!);
    const position = batchPositions(damaged)[3]!;
    const fd = fs.openSync(damaged, 'r+');
    const length = Buffer.alloc(4);
    length.writeInt32BE(BAD_LENGTH);
    fs.writeSync(fd, length, 0, 4, position + 8);
    fs.closeSync(fd);

    const broker = await startBrokerProcess(dataDir, ['--segment-bytes', '32768']);
    try {
      // kcat keeps retrying a partition in error; it is stopped after a few seconds of retries.
      const consumed = await run(
        'kcat',
        ['-b', broker.bootstrap, '-C', '-t', 'ledger', '-o', 'beginning', '-e'],
        {
          timeoutMs: 4000,
        },
      );
      // librdkafka names Kafka's CORRUPT_MESSAGE (2) "Invalid message".
      assert.match(
        consumed.stderr,
        /Fetch from broker \d+ failed.*: Broker: Invalid message/,
        consumed.stderr,
      );
      const got = consumed.stdout.split('\n').filter(Boolean);
      assert.ok(got.length > 0, 'the records before the damaged batch are delivered');
      assert.deepEqual(got, lines.slice(0, got.length), 'in order, nothing invented');
      const second = segments[1]!;
      const from = Number(second.slice(0, 20));
      const later = await run('kcat', [
        '-b',
        broker.bootstrap,
        '-C',
        '-t',
        'ledger',
        '-o',
        String(from),
        '-c',
        '10',
        '-e',
      ]);
      assert.equal(later.code, 0, later.stderr);
      assert.deepEqual(later.stdout.split('\n').filter(Boolean), lines.slice(from, from + 10));
    } finally {
      assert.equal(await broker.stop(), 0);
    }
    const logged = broker
      .output()
      .split('\n')
      .filter((l) => l.includes('corrupt record batch'));
    assert.equal(logged.length, 1, broker.output());
    assert.match(logged[0]!, /offsets \d+ to \d+ of .*ledger-0 cannot be read/);
    assert.doesNotMatch(broker.output(), /handler failed/);

    const verify = await samsaInProcess(['log:verify', '--data-dir', dataDir]);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.ok(
      verify.stdout.includes(
        `ERROR: ledger-0/${segments[0]} at position ${position}: batch length ${BAD_LENGTH} runs past the end of the file`,
      ),
      verify.stdout,
    );
    assert.match(verify.stdout, /1 problem found\.$/m);
    const deep = await samsaInProcess([
      'log:verify',
      '--data-dir',
      dataDir,
      '--deep',
      '--topic',
      'ledger',
      '--json',
    ]);
    assert.equal(deep.code, 1, deep.stdout + deep.stderr);
    const report = JSON.parse(deep.stdout) as {
      errors: number;
      problems: { file: string; position: number }[];
    };
    assert.equal(report.errors, 1);
    assert.deepEqual(
      report.problems.map((p) => [p.file, p.position]),
      [[`ledger-0/${segments[0]}`, position]],
    );
  });

  it('log:verify reports a missing directory as a failure', async () => {
    const res = await samsaInProcess(['log:verify', '--data-dir', path.join(dataDir, 'nope')]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /nope is not a directory/);
  });
});
