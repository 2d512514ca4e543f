/**
 * Runs `samsa demo <scenario>` as a user would (the bin, as a child process) for a few seconds of
 * load and returns its output; the demo's data directory stays for the test to inspect.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { run } from '../helpers/run.ts';

const BIN = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

export async function runDemo(scenario: string, args: readonly string[]): Promise<string> {
  const r = await run(process.execPath, [BIN, 'demo', scenario, ...args], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `samsa demo ${scenario} exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A number from the demo's summary (`  label   123`). */
export function summaryNumber(output: string, label: string): number {
  const summary = output.slice(output.indexOf('\nSummary of samsa demo'));
  const m = new RegExp(`\\n  ${label.replace(/[()]/g, '\\$&')}\\s+(\\d+)\\n`).exec(summary);
  assert.ok(m, `no "${label}" in the summary:\n${summary}`);
  return Number(m[1]);
}

/** Every record of a topic, read from the start up to its end offsets at the time of the call. */
export async function readTopic(
  bootstrap: string,
  topic: string,
): Promise<{ key: string; value: string; bytes: Buffer; headers: Map<string, string> }[]> {
  const admin = new Admin({ clientId: 'demo-test', bootstrapBrokers: [bootstrap] });
  let end = 0n;
  try {
    const md = await admin.metadata({ topics: [topic] });
    const partitions = md.topics.get(topic)!.partitionsCount;
    const offsets = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, timestamp: -1n })),
        },
      ],
    });
    for (const p of offsets[0]!.partitions) end += p.offset;
  } finally {
    await admin.close();
  }
  const consumer = new Consumer({
    clientId: 'demo-test',
    groupId: `demo-test-${topic}-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
    deserializers: { ...stringDeserializers, value: (b?: Buffer) => b ?? Buffer.alloc(0) },
  });
  const out: { key: string; value: string; bytes: Buffer; headers: Map<string, string> }[] = [];
  if (end === 0n) {
    await consumer.close();
    return out;
  }
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  try {
    for await (const m of stream) {
      out.push({ key: m.key, value: m.value.toString('utf8'), bytes: m.value, headers: m.headers });
      if (BigInt(out.length) >= end) break;
    }
  } finally {
    await stream.close();
    await consumer.close();
  }
  return out;
}

/**
 * `samsa demo <scenario>` without --duration, as in a terminal: resolves once its output matches
 * `ready`, then `interrupt()` sends SIGINT (Ctrl-C) and resolves with the exit code and output.
 */
export async function startDemo(
  scenario: string,
  args: readonly string[],
  ready: RegExp,
): Promise<{ output(): string; interrupt(): Promise<{ code: number | null; output: string }> }> {
  const child = spawn(process.execPath, [BIN, 'demo', scenario, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      text += c.toString();
      if (ready.test(text)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`samsa demo ${scenario} exited (${code}):\n${text}`)));
  });
  return {
    output: () => text,
    async interrupt() {
      child.kill('SIGINT');
      const code = await exited;
      clearTimeout(kill);
      return { code, output: text };
    },
  };
}
