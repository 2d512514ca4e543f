/**
 * Nothing acknowledged is lost to a full disk. A `samsa start` process runs on an 8 MiB tmpfs (the
 * tests run as root, as in CI) filled by a ballast file, with small segments so segments roll while
 * the disk is full. python3-confluent-kafka (idempotent, acks=all) produces more than fits: appends
 * fail with KAFKA_STORAGE_ERROR and the producer retries; once the ballast is removed, writes resume
 * and every record is acknowledged. Then kill -9, restart, and kcat must find every acknowledged
 * record at its acknowledged offset, exactly once, under each fsync mode. Finally a shutdown on a
 * full disk exits 1 with an error line, and the data is all there after it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { samsaInProcess } from '../cli/run-cli.ts';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts';
import { PYTHON, run } from '../helpers/run.ts';

const RECORDS = 4000;
const VALUE_BYTES = 1000;
let mountPoint = '';
const ballast = (): string => path.join(mountPoint, 'ballast');

before(() => {
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]);
});
after(() => {
  execFileSync('umount', ['-l', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

function writeBallast(bytes: number): void {
  fs.writeFileSync(ballast(), Buffer.alloc(bytes, 1));
}

/** Appends to the ballast until the disk is full. */
function fillDisk(): void {
  const fd = fs.openSync(ballast(), 'a');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Produces RECORDS values `id-NNNNN....`; when deliveries stall with messages outstanding it prints
 * STALLED and waits for a line on stdin (the test frees space), then flushes. Prints one JSON line:
 * the delivered [offset, id] pairs and the delivery errors.
 */
const PRODUCER = `
import sys, json, time
from confluent_kafka import Producer
bootstrap, topic, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
delivered, errors = [], []
def report(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered.append([msg.offset(), msg.value()[:8].decode()])
p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
              "linger.ms": 5, "message.timeout.ms": 120000, "retry.backoff.ms": 100})
for i in range(n):
    value = ("id-%05d" % i).encode().ljust(size, b".")
    while True:
        try:
            p.produce(topic, value=value, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
last, since, stalled = -1, time.time(), False
while len(delivered) + len(errors) < n:
    p.poll(0.1)
    if len(delivered) != last:
        last, since = len(delivered), time.time()
    elif not stalled and time.time() - since > 1.5:
        stalled = True
        print("STALLED", len(delivered), flush=True)
        sys.stdin.readline()
        since = time.time()
    elif stalled and time.time() - since > 60:
        break
p.flush(30)
print(json.dumps({"stalled": stalled, "delivered": delivered, "errors": errors}), flush=True)
`;

interface Produced {
  stalled: boolean;
  delivered: [number, string][];
  errors: string[];
}

/** Runs the producer; on STALLED, checks the broker is alive, frees the disk and lets it go on. */
function produceThroughFullDisk(broker: BrokerProcess, topic: string): Promise<Produced> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      PYTHON,
      ['-c', PRODUCER, broker.bootstrap, topic, String(RECORDS), String(VALUE_BYTES)],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('STALLED') && fs.existsSync(ballast())) {
        assert.equal(broker.child.exitCode, null, 'the broker survives the full disk');
        fs.rmSync(ballast());
        child.stdin.write('go\n');
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`producer failed (${code}): ${out}${err}`));
      else resolve(JSON.parse(line) as Produced);
    });
  });
}

/** offset → id for the whole partition, read with kcat. */
async function consumeAll(broker: BrokerProcess, topic: string): Promise<Map<number, string>> {
  const res = await run(
    'kcat',
    ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%o %s\n'],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(res.code, 0, res.stderr);
  const out = new Map<number, string>();
  for (const line of res.stdout.split('\n').filter(Boolean)) {
    const [offset, value] = line.split(' ');
    out.set(Number(offset), value!.slice(0, 8));
  }
  return out;
}

describe('a full disk under a running broker', () => {
  for (const fsync of ['always', 'interval', 'never']) {
    it(`keeps every acknowledged record through a disk-full episode and kill -9 (--fsync ${fsync})`, async () => {
      for (const e of fs.readdirSync(mountPoint)) fs.rmSync(path.join(mountPoint, e), { recursive: true });
      const dataDir = path.join(mountPoint, 'data');
      const flags = ['--fsync', fsync, '--flush-interval-ms', '50', '--segment-bytes', '262144'];
      writeBallast(5 * 1024 * 1024);
      const broker = await startBrokerProcess(dataDir, flags);
      let produced: Produced;
      try {
        produced = await produceThroughFullDisk(broker, 'full');
      } finally {
        await broker.kill();
      }
      assert.ok(produced.stalled, 'the disk filled up and deliveries stalled');
      assert.deepEqual(produced.errors, []);
      assert.equal(produced.delivered.length, RECORDS, 'writes resumed and every record was acknowledged');
      const offsets = new Set(produced.delivered.map(([o]) => o));
      assert.equal(offsets.size, RECORDS, 'no offset acknowledged twice');
      const failedAppends = broker
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"append failed'));
      assert.ok(failedAppends.length >= 1, 'the full disk was hit');
      assert.ok(failedAppends.length <= 3, `failed appends are rate-limited: ${failedAppends.length} lines`);

      const restarted = await startBrokerProcess(dataDir, flags);
      try {
        const stored = await consumeAll(restarted, 'full');
        for (const [offset, id] of produced.delivered)
          assert.equal(stored.get(offset), id, `offset ${offset}`);
        assert.equal(stored.size, RECORDS, 'each record stored once (idempotent retries left no duplicates)');
      } finally {
        assert.equal(await restarted.stop(), 0);
      }
    });
  }

  it('a shutdown on a full disk exits 1 with an error line and loses nothing', async () => {
    const dataDir = path.join(mountPoint, 'data');
    const broker = await startBrokerProcess(dataDir, ['--segment-bytes', '262144']);
    const before = await consumeAll(broker, 'full');
    assert.equal(before.size, RECORDS);
    fillDisk();
    const code = await broker.stop();
    assert.equal(code, 1, broker.output());
    assert.match(broker.output(), /samsa start: shutdown failed: .*did not close cleanly.*ENOSPC/s);
    fs.rmSync(ballast());
    const verify = await samsaInProcess(['log:verify', '--data-dir', dataDir]);
    assert.equal(verify.code, 0, verify.stdout);
    const again = await startBrokerProcess(dataDir, ['--segment-bytes', '262144']);
    try {
      assert.deepEqual(await consumeAll(again, 'full'), before);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
