/**
 * `samsa topics:write NAME [MESSAGE]`: writes one record, or one record per line of stdin (blank
 * lines skipped), with an optional key, partition and headers. Lines are sent in batches; a
 * progress line shows on a terminal.
 */
import { fstatSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MessageToProduce } from '@platformatic/kafka';
import { createProducer } from '../../client/clients.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatJson } from '../output.ts';
import { parsePairs } from '../pairs.ts';
import { createProgress } from '../progress.ts';

const BATCH_RECORDS = 1000;
const BATCH_BYTES = 512 * 1024;

type OutRecord = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

/** Size of stdin when it is a regular file (for the progress bar), else undefined. */
function stdinSize(): number | undefined {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

export const topicsWriteCommand = defineCommand({
  name: 'topics:write',
  summary: 'write records to a topic (MESSAGE, or one per line of stdin)',
  args: [{ name: 'NAME' }, { name: 'MESSAGE', optional: true }],
  description:
    'Writes MESSAGE as one record, or without MESSAGE one record per line read from stdin (blank lines are skipped). Without --key or --partition, records are spread over the partitions.',
  options: [
    {
      name: 'key',
      short: 'k',
      type: 'string',
      placeholder: 'KEY',
      description: 'record key (same key, same partition)',
    },
    {
      name: 'partition',
      short: 'p',
      type: 'string',
      placeholder: 'N',
      description: 'write to this partition',
    },
    {
      name: 'header',
      short: 'H',
      type: 'string',
      repeatable: true,
      placeholder: 'KEY=VALUE',
      description: 'record header (repeatable)',
    },
  ],
  examples: [
    'samsa topics:write orders \'{"id": 1, "total": 9.5}\' --key customer-42',
    'samsa topics:write orders --header source=backfill < orders.jsonl',
    'tail -f app.log | samsa topics:write logs',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const message = ctx.args[1];
    const wire = ctx.prefix.add(name);
    const key = ctx.string('key');
    const partition = ctx.integer('partition', 0);
    const headers = new Map(
      parsePairs(ctx.list('header'), '--header').map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
    );
    const producer = ctx.own(createProducer(ctx.connection, { clientId: CLIENT_ID }));
    const metadata = await producer.metadata({ topics: [wire] });
    const partitions = metadata.topics.get(wire)?.partitionsCount ?? 0;
    if (partition !== undefined && partition >= partitions) {
      throw new CliError(
        `topic ${name} has ${partitions} partition${partitions === 1 ? '' : 's'} (0-${partitions - 1}); there is no partition ${partition}`,
      );
    }
    const record = (value: string): OutRecord => ({
      topic: wire,
      value: Buffer.from(value),
      ...(key !== undefined ? { key: Buffer.from(key) } : {}),
      ...(partition !== undefined ? { partition } : {}),
      ...(headers.size > 0 ? { headers } : {}),
    });

    if (message !== undefined) {
      const result = await producer.send({ messages: [record(message)] });
      const written = result.offsets?.[0];
      const where = written ? { partition: written.partition, offset: written.offset } : {};
      ctx.out(
        ctx.json
          ? formatJson({ topic: name, records: 1, ...where })
          : `Wrote 1 record to ${name}${written ? ` (partition ${written.partition}, offset ${written.offset})` : ''}`,
      );
      return 0;
    }

    if (process.stdin.isTTY && !ctx.json)
      ctx.note('Reading records from stdin, one per line. Ctrl-D to finish.');
    const progress = ctx.json
      ? createProgress(process.stderr, undefined)
      : createProgress(process.stderr, stdinSize());
    let batch: OutRecord[] = [];
    let batchBytes = 0;
    let count = 0;
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await producer.send({ messages: batch });
      count += batch.length;
      batch = [];
      batchBytes = 0;
      progress.update(count, bytes);
    };
    const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        bytes += Buffer.byteLength(line) + 1;
        if (line === '') continue;
        batch.push(record(line));
        batchBytes += line.length;
        if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) await flush();
      }
      await flush();
    } finally {
      lines.close();
      progress.finish();
    }
    ctx.out(ctx.json ? formatJson({ topic: name, records: count }) : `Wrote ${count} records to ${name}`);
    return 0;
  },
});
