/**
 * `samsa dlt:replay DLT [--to TOPIC] [--filter-header KEY=VALUE ...] [--dry-run]`: re-publishes the
 * records of a dead-letter topic for another attempt — to the topic each came from (the HTTP sink's
 * `samsa.retry.original.topic` header, or Kafka Connect's `__connect.errors.topic`) and its
 * original partition, or to --to — with their key, value and own headers (retry and error headers
 * removed). Reads what the topic holds when the command starts, then stops; nothing is committed
 * or deleted, so a second run replays again.
 */
import type { MessageToProduce } from '@platformatic/kafka';
import { createConsumer, createProducer } from '../../client/clients.ts';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import { listOffsets, partitionsOf } from '../../client/offsets.ts';
import { readPartitions } from '../../client/partition-reader.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatJson, formatTable } from '../output.ts';
import { parsePairs } from '../pairs.ts';
import { createProgress } from '../progress.ts';

const RETRY_PREFIX = 'samsa.retry.';
const CONNECT_PREFIX = '__connect.errors.';
const BATCH = 1000;

function header(record: ConsumedRecord, name: string): string | undefined {
  for (const [k, v] of record.headers) if (k.toString() === name) return v?.toString();
  return undefined;
}

export const dltReplayCommand = defineCommand({
  name: 'dlt:replay',
  summary: 'send dead-lettered records back to their topics for another attempt',
  args: [{ name: 'DLT' }],
  description:
    'Re-publishes every record now in dead-letter topic DLT to the topic it came from (from its samsa.retry.original.topic or __connect.errors.topic header), to its original partition, or to --to. Retry and error headers are removed, so the record starts over. --filter-header KEY=VALUE (repeatable) replays only records with all those headers, e.g. samsa.retry.last.status=503.',
  options: [
    {
      name: 'to',
      type: 'string',
      placeholder: 'TOPIC',
      description: 'write every record to TOPIC instead of its original topic',
    },
    {
      name: 'filter-header',
      type: 'string',
      repeatable: true,
      placeholder: 'KEY=VALUE',
      description: 'only records with this header value (repeatable)',
    },
    { name: 'dry-run', type: 'boolean', description: 'count what would be replayed, write nothing' },
  ],
  examples: [
    'samsa dlt:replay orders-dlt',
    'samsa dlt:replay orders-dlt --filter-header samsa.retry.last.status=503',
    'samsa dlt:replay orders-dlt --to orders-retry-manual --dry-run',
  ],
  async run(ctx) {
    const dlt = ctx.args[0]!;
    const wire = ctx.prefix.add(dlt);
    const to = ctx.string('to');
    const filters = parsePairs(ctx.list('filter-header'), '--filter-header');
    const dryRun = ctx.flag('dry-run');
    const admin = ctx.admin();
    const partitions = await partitionsOf(admin, [wire]);
    if (!partitions.has(wire)) throw new CliError(`topic ${dlt} does not exist`);
    const [earliest, latest] = await Promise.all([
      listOffsets(admin, partitions, 'earliest'),
      listOffsets(admin, partitions, 'latest'),
    ]);
    const ends = latest.get(wire) ?? new Map<number, bigint>();
    const positions = new Map<number, bigint>();
    let total = 0;
    for (const [p, end] of ends) {
      const start = earliest.get(wire)?.get(p) ?? 0n;
      if (end > start) {
        positions.set(p, start);
        total += Number(end - start);
      }
    }
    const consumer = ctx.own(
      createConsumer(ctx.connection, { clientId: CLIENT_ID, groupId: `${CLIENT_ID}-dlt-replay` }),
    );
    const producer = dryRun ? null : ctx.own(createProducer(ctx.connection, { clientId: CLIENT_ID }));
    const counts = new Map<string, number>();
    let skipped = 0;
    let read = 0;
    let noOrigin = 0;
    let batch: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length > 0 && producer) await producer.send({ messages: batch });
      batch = [];
    };
    const progress = createProgress(process.stderr, undefined);
    const abort = new AbortController();
    try {
      if (positions.size > 0) {
        for await (const record of readPartitions({
          consumer,
          topic: wire,
          positions: new Map(positions),
          signal: abort.signal,
        })) {
          if (record.offset >= (ends.get(record.partition) ?? 0n)) continue;
          read++;
          if (filters.every(([k, v]) => header(record, k) === v)) {
            const origin =
              header(record, `${RETRY_PREFIX}original.topic`) ?? header(record, `${CONNECT_PREFIX}topic`);
            const target = to ?? origin;
            if (target === undefined) noOrigin++;
            else {
              const partitionText =
                to === undefined
                  ? (header(record, `${RETRY_PREFIX}original.partition`) ??
                    header(record, `${CONNECT_PREFIX}partition`))
                  : undefined;
              const headers = record.headers.filter(([k]) => {
                const name = k.toString();
                return !name.startsWith(RETRY_PREFIX) && !name.startsWith(CONNECT_PREFIX);
              });
              batch.push({
                topic: to === undefined ? target : ctx.prefix.add(target),
                ...(partitionText !== undefined && /^\d+$/.test(partitionText)
                  ? { partition: Number(partitionText) }
                  : {}),
                ...(record.key !== null ? { key: record.key } : {}),
                ...(record.value !== null ? { value: record.value } : {}),
                ...(headers.length > 0
                  ? { headers: new Map(headers.map(([k, v]) => [k, v ?? Buffer.alloc(0)])) }
                  : {}),
              });
              const shown = to ?? ctx.prefix.strip(target) ?? target;
              counts.set(shown, (counts.get(shown) ?? 0) + 1);
              if (batch.length >= BATCH) await flush();
            }
          } else skipped++;
          progress.update(read, 0);
          if (read >= total) break;
        }
      }
      await flush();
    } finally {
      abort.abort();
      progress.finish();
    }
    const replayed = [...counts.values()].reduce((a, b) => a + b, 0);
    if (ctx.json) {
      ctx.out(
        formatJson({
          topic: dlt,
          read,
          replayed,
          skipped,
          withoutOrigin: noOrigin,
          dryRun,
          topics: Object.fromEntries(counts),
        }),
      );
      return 0;
    }
    const verb = dryRun ? 'Would replay' : 'Replayed';
    ctx.out(
      `${verb} ${replayed} of ${read} records from ${dlt}${skipped > 0 ? ` (${skipped} did not match the filters)` : ''}`,
    );
    if (counts.size > 0)
      ctx.out(
        formatTable(
          [
            { header: 'topic', value: (r: [string, number]) => r[0] },
            { header: 'records', value: (r) => r[1], right: true },
          ],
          [...counts],
        ),
      );
    if (noOrigin > 0)
      ctx.note(`${noOrigin} record(s) have no original-topic header; replay them with --to TOPIC`);
    return 0;
  },
});
