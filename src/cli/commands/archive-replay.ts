/**
 * `samsa archive:replay --path DIR --topic SRC [--to TOPIC] [--from TIME] [--until TIME]
 * [--partition N]`: writes archived records back into a topic (SRC by default), each to its
 * original partition number and in its original order, with its key, value, headers and original
 * timestamp. The target topic is created with the archive's partition count when missing. A
 * progress bar shows on a terminal. Each partition keeps up to SENDS_IN_FLIGHT sends in flight
 * through an idempotent producer: the broker accepts a partition's batches only in sequence, so
 * pipelining cannot reorder them.
 *
 * Not kept: a record's duplicate header keys (the producer takes one value per key).
 */
import type { MessageToProduce } from '@platformatic/kafka';
import { createProducer } from '../../client/clients.ts';
import { filesByPartition, readPartition } from '../../connectors/archive/reader.ts';
import type { ArchivedRecord } from '../../connectors/archive/record.ts';
import { UsageError } from '../args.ts';
import { CLIENT_ID, defineCommand } from '../command.ts';
import { parseTimePoint } from '../duration.ts';
import { CliError } from '../errors.ts';
import { formatJson } from '../output.ts';
import { createProgress } from '../progress.ts';

/** A send holds one record batch per partition, which must stay under the broker's max.message.bytes. */
const SEND_BYTES = 512 * 1024;
/** Sends per partition awaiting their acknowledgement (an idempotent producer allows up to 5). */
const SENDS_IN_FLIGHT = 4;

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

function message(topic: string, r: ArchivedRecord): Message {
  return {
    topic,
    partition: r.partition,
    ...(r.key !== null ? { key: r.key } : {}),
    ...(r.value !== null ? { value: r.value } : {}),
    ...(r.headers.length > 0 ? { headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), v])) } : {}),
    timestamp: BigInt(r.timestamp),
  };
}

export const archiveReplayCommand = defineCommand({
  name: 'archive:replay',
  summary: 'write archived records back into a topic',
  description:
    'Re-publishes the records the archive sink wrote under --path for topic --topic into --to (default: the same topic name), each to its original partition in its original order, with keys, headers and original timestamps. --from/--until select records by timestamp; --partition selects archived partitions. The target topic is created with as many partitions as the archive has when it does not exist.',
  options: [
    { name: 'path', type: 'string', placeholder: 'DIR', description: 'the archive directory (archive.path)' },
    { name: 'topic', short: 't', type: 'string', placeholder: 'SRC', description: 'the archived topic' },
    { name: 'to', type: 'string', placeholder: 'TOPIC', description: 'topic to write to (default: SRC)' },
    {
      name: 'from',
      type: 'string',
      placeholder: 'TIME',
      description: 'only records at or after TIME (ISO date, epoch ms, or a duration ago like 2h)',
    },
    { name: 'until', type: 'string', placeholder: 'TIME', description: 'only records before TIME' },
    {
      name: 'partition',
      short: 'p',
      type: 'string',
      repeatable: true,
      placeholder: 'N',
      description: 'only this archived partition (repeatable)',
    },
  ],
  examples: [
    'samsa archive:replay --path ./archive --topic orders --to orders-replayed',
    'samsa archive:replay --path /mnt/archive --topic orders --from 2026-03-01T00:00:00Z --until 2026-03-02T00:00:00Z',
  ],
  async run(ctx) {
    const root = ctx.string('path');
    const source = ctx.string('topic');
    if (root === undefined || source === undefined)
      throw new UsageError('--path DIR and --topic SRC are required');
    const to = ctx.string('to') ?? source;
    const wire = ctx.prefix.add(to);
    const fromText = ctx.string('from');
    const untilText = ctx.string('until');
    const from = fromText !== undefined ? parseTimePoint(fromText, '--from') : undefined;
    const until = untilText !== undefined ? parseTimePoint(untilText, '--until') : undefined;
    const partitions = ctx.list('partition').map((p) => {
      if (!/^\d+$/.test(p)) throw new UsageError(`--partition must be a partition number, got "${p}"`);
      return Number(p);
    });
    const range = { ...(from !== undefined ? { from } : {}), ...(until !== undefined ? { until } : {}) };
    const files = await filesByPartition({
      root,
      topic: source,
      ...(partitions.length > 0 ? { partitions } : {}),
      ...range,
    });
    if (files.size === 0)
      throw new CliError(
        `no archive of topic ${source} under ${root}${partitions.length > 0 ? ` for partition ${partitions.join(', ')}` : ''}`,
      );
    const needed = Math.max(...files.keys()) + 1;

    const admin = ctx.admin();
    const metadata = await admin.metadata({ topics: [wire], forceUpdate: true }).catch(() => null);
    const existing = metadata?.topics.get(wire)?.partitionsCount;
    if (existing === undefined) {
      await admin.createTopics({ topics: [wire], partitions: needed, replicas: -1 });
      if (!ctx.json) ctx.note(`Created topic ${to} with ${needed} partitions.`);
    } else if (existing < needed) {
      throw new CliError(
        `topic ${to} has ${existing} partition${existing === 1 ? '' : 's'} but the archive has records for partition ${needed - 1}; replay into a topic with at least ${needed} partitions (--to NEW creates one)`,
      );
    }

    const producer = ctx.own(createProducer(ctx.connection, { clientId: CLIENT_ID, idempotent: true }));
    const totalBytes = [...files.values()].flat().reduce((n, f) => n + f.bytes, 0);
    const progress = createProgress(process.stderr, ctx.json ? undefined : totalBytes);
    let records = 0;
    let bytesDone = 0;
    const perPartition = new Map<number, number>();
    try {
      await Promise.all(
        [...files].map(async ([partition, list]) => {
          const inFlight: Promise<void>[] = [];
          for await (const { file, records: batch } of readPartition(list, range)) {
            for (let i = 0; i < batch.length; ) {
              const messages: Message[] = [];
              let bytes = 0;
              while (i < batch.length && (messages.length === 0 || bytes < SEND_BYTES)) {
                const r = batch[i++]!;
                bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 40;
                for (const [k, v] of r.headers) bytes += k.length + v.length + 8;
                messages.push(message(wire, r));
              }
              const sent = producer.send({ messages }).then(() => {
                records += messages.length;
                perPartition.set(partition, (perPartition.get(partition) ?? 0) + messages.length);
                progress.update(records, bytesDone);
              });
              sent.catch(() => {}); // awaited below, in order
              inFlight.push(sent);
              if (inFlight.length >= SENDS_IN_FLIGHT) await inFlight.shift();
            }
            bytesDone += file.bytes;
            progress.update(records, bytesDone);
          }
          while (inFlight.length > 0) await inFlight.shift();
        }),
      );
    } finally {
      progress.finish();
    }
    if (ctx.json) {
      ctx.out(formatJson({ topic: source, to, records, partitions: Object.fromEntries(perPartition) }));
    } else {
      ctx.out(
        `Replayed ${records} records of ${source} from ${root} into ${to} (${perPartition.size} partition${perPartition.size === 1 ? '' : 's'})`,
      );
    }
    return 0;
  },
});
