/**
 * `samsa topics:tail NAME`: prints records as they arrive, with partition, offset, timestamp, key,
 * headers and value. Without `--group` it reads partitions directly (no group is created, nothing
 * is committed) from the end, the beginning, a time or an offset. With `--group G` it joins group G,
 * starts at the group's committed offsets and commits what it printed, so it moves G's lag.
 * `--format avro|jsonschema|protobuf` decodes values written with a schema registry serializer.
 */
import type { Consumer, Message } from '@platformatic/kafka';
import { createConsumer } from '../../client/clients.ts';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import { readPartitions } from '../../client/partition-reader.ts';
import { UsageError } from '../args.ts';
import { CLIENT_ID, type CommandContext, defineCommand } from '../command.ts';
import { parseTimePoint } from '../duration.ts';
import { CliError } from '../errors.ts';
import { formatJsonLine } from '../output.ts';
import { recordJson, recordMatches, recordText } from '../record-format.ts';
import type { RecordDecoder } from '../schema-decoding.ts';

const SCHEMA_FORMATS = ['avro', 'jsonschema', 'protobuf'] as const;
type SchemaFormat = (typeof SCHEMA_FORMATS)[number];

type Start = 'earliest' | 'latest' | { time: number } | { offset: bigint };

interface TailSettings {
  name: string;
  wire: string;
  maxMessages: number | undefined;
  maxLength: number | undefined;
  grep: RegExp | undefined;
  signal: AbortSignal;
  /** What tail is waiting for, on stderr when it is a terminal (silent in pipes and scripts). */
  status(text: string): void;
  /** Decodes schema-registry records (--format / --key-format). */
  decoder: RecordDecoder | null;
}

/** Prints a record if it passes --grep; returns whether it was printed. */
async function emit(ctx: CommandContext, settings: TailSettings, raw: ConsumedRecord): Promise<boolean> {
  const decoded = settings.decoder ? await settings.decoder.decode(raw) : null;
  const record = decoded?.record ?? raw;
  if (settings.grep && !recordMatches(record, settings.grep)) return false;
  if (ctx.json) {
    const json: Record<string, unknown> = { ...recordJson(decoded ? raw : record, settings.name) };
    for (const part of ['key', 'value'] as const) {
      const d = decoded?.[part];
      if (d?.value !== undefined) {
        json[part] = d.value;
        json[`${part}SchemaId`] = d.schemaId;
        delete json[`${part}Encoding`];
      } else if (d?.error) json[`${part}Error`] = d.error;
    }
    ctx.out(formatJsonLine(json));
  } else {
    ctx.out(recordText(record, settings.maxLength));
    for (const part of ['key', 'value'] as const) {
      const error = decoded?.[part].error;
      if (error) ctx.out(`(${part} not decoded: ${error})`);
    }
  }
  await ctx.drain();
  return true;
}

function startFrom(ctx: CommandContext): Start {
  const given = ['from-beginning', 'from-time', 'from-offset'].filter((o) => ctx.options[o] !== undefined);
  if (given.length > 1) throw new UsageError(`choose one of --${given.join(', --')}`);
  if (ctx.flag('from-beginning')) return 'earliest';
  const time = ctx.string('from-time');
  if (time !== undefined) return { time: parseTimePoint(time, '--from-time') };
  const offset = ctx.integer('from-offset', 0);
  if (offset !== undefined) return { offset: BigInt(offset) };
  return 'latest';
}

async function startPositions(
  consumer: Consumer,
  wire: string,
  partitions: number[],
  start: Start,
): Promise<Map<number, bigint>> {
  const lookup = async (timestamp: bigint) =>
    (await consumer.listOffsets({ topics: [wire], partitions: { [wire]: partitions }, timestamp })).get(
      wire,
    ) ?? [];
  const [low, high] = await Promise.all([lookup(-2n), lookup(-1n)]);
  const at = typeof start === 'object' && 'time' in start ? await lookup(BigInt(start.time)) : undefined;
  const positions = new Map<number, bigint>();
  for (const p of partitions) {
    const first = low[p] ?? 0n;
    const end = high[p] ?? 0n;
    let position: bigint;
    if (start === 'earliest') position = first;
    else if (start === 'latest') position = end;
    else if ('time' in start) position = at?.[p] !== undefined && at[p]! >= 0n ? at[p]! : end;
    else position = start.offset < first ? first : start.offset > end ? end : start.offset;
    positions.set(p, position);
  }
  return positions;
}

async function tailWithoutGroup(ctx: CommandContext, settings: TailSettings, start: Start): Promise<void> {
  const consumer = ctx.own(
    createConsumer(ctx.connection, { clientId: CLIENT_ID, groupId: `${CLIENT_ID}-tail` }),
  );
  const metadata = await consumer.metadata({ topics: [settings.wire] });
  const count = metadata.topics.get(settings.wire)?.partitionsCount ?? 0;
  const partition = ctx.integer('partition', 0);
  if (partition !== undefined && partition >= count) {
    throw new CliError(`topic ${settings.name} has no partition ${partition} (it has ${count})`);
  }
  const partitions = partition !== undefined ? [partition] : [...Array(count).keys()];
  const positions = await startPositions(consumer, settings.wire, partitions, start);
  let printed = 0;
  if (settings.maxMessages === 0) return;
  settings.status(`Reading ${settings.name}; waiting for records (Ctrl-C to stop)...`);
  for await (const record of readPartitions({
    consumer,
    topic: settings.wire,
    positions,
    signal: settings.signal,
  })) {
    if (await emit(ctx, settings, record)) printed++;
    if (printed === settings.maxMessages || ctx.outputClosed()) break;
  }
}

function toRecord(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headerEntries,
  };
}

async function tailWithGroup(ctx: CommandContext, settings: TailSettings, group: string): Promise<void> {
  const consumer = ctx.own(
    // The timeouts go to the consumer too, for the library's own rejoins after a failed commit.
    createConsumer(ctx.connection, {
      clientId: CLIENT_ID,
      groupId: ctx.prefix.add(group),
      sessionTimeout: 15_000,
      heartbeatInterval: 1_000,
    }),
  );
  await consumer.metadata({ topics: [settings.wire] });
  settings.status(`Joining consumer group ${group} (the first join can take a few seconds)...`);
  const stream = await consumer.consume({
    topics: [settings.wire],
    mode: 'committed',
    fallbackMode: ctx.flag('from-beginning') ? 'earliest' : 'latest',
    autocommit: false,
    sessionTimeout: 15_000,
    heartbeatInterval: 1_000,
  });
  const onAbort = (): void => void stream.close();
  settings.signal.addEventListener('abort', onAbort);
  const pending = new Map<number, { offset: bigint; leaderEpoch: number }>();
  const commit = async (): Promise<void> => {
    if (pending.size === 0) return;
    const offsets = [...pending].map(([partition, p]) => ({ topic: settings.wire, partition, ...p }));
    pending.clear();
    await consumer.commit({ offsets });
  };
  let lastCommit = Date.now();
  let printed = 0;
  try {
    if (settings.maxMessages === 0) return;
    settings.status(`Joined ${group}; waiting for records on ${settings.name} (Ctrl-C to stop)...`);
    for await (const message of stream) {
      pending.set(message.partition, { offset: message.offset + 1n, leaderEpoch: message.leaderEpoch });
      if (await emit(ctx, settings, toRecord(message))) printed++;
      if (printed === settings.maxMessages || ctx.outputClosed()) break;
      if (Date.now() - lastCommit > 1_000) {
        await commit();
        lastCommit = Date.now();
      }
    }
    await commit();
  } finally {
    settings.signal.removeEventListener('abort', onAbort);
    await stream.close();
  }
}

export const topicsTailCommand = defineCommand({
  name: 'topics:tail',
  summary: 'print records of a topic as they arrive',
  args: [{ name: 'NAME' }],
  description: [
    'Prints records as they arrive: partition, offset, timestamp, key, headers and value (JSON values',
    'pretty-printed). Runs until Ctrl-C or --max-messages. Without --group nothing is committed and no',
    "group is created; with --group G it joins G, resumes at G's committed offsets (--from-beginning:",
    'for partitions G has not committed yet) and commits what it printed.',
  ].join('\n'),
  options: [
    {
      name: 'from-beginning',
      type: 'boolean',
      description: 'start at the oldest record (default: only new records)',
    },
    {
      name: 'from-time',
      type: 'string',
      placeholder: 'TIME',
      description:
        'start at the first record at or after TIME (ISO date, epoch ms, or a duration ago like 2h)',
    },
    {
      name: 'from-offset',
      type: 'string',
      placeholder: 'N',
      description: 'start at offset N of each partition',
    },
    { name: 'partition', short: 'p', type: 'string', placeholder: 'N', description: 'only this partition' },
    {
      name: 'group',
      short: 'g',
      type: 'string',
      placeholder: 'GROUP',
      description: 'consume as a member of GROUP',
    },
    {
      name: 'max-messages',
      short: 'n',
      type: 'string',
      placeholder: 'N',
      description: 'stop after N records',
    },
    {
      name: 'max-length',
      type: 'string',
      placeholder: 'N',
      description: 'cut values after N characters (text output)',
    },
    {
      name: 'grep',
      type: 'string',
      placeholder: 'REGEX',
      description: 'only print records whose key or value matches',
    },
    {
      name: 'format',
      type: 'string',
      placeholder: 'avro|jsonschema|protobuf',
      description: 'decode values written with a schema registry serializer (printed as JSON)',
    },
    {
      name: 'key-format',
      type: 'string',
      placeholder: 'avro|jsonschema|protobuf',
      description: 'decode keys written with a schema registry serializer',
    },
    {
      name: 'registry-url',
      type: 'string',
      placeholder: 'URL',
      description: 'schema registry for --format (default: SCHEMA_REGISTRY_URL, else http://127.0.0.1:8081)',
    },
  ],
  examples: [
    'samsa topics:tail orders',
    'samsa topics:tail orders --from-beginning --max-messages 10',
    'samsa topics:tail orders --from-time 1h --grep customer-42',
    'samsa topics:tail orders --from-beginning --json | jq .value',
    'samsa topics:tail orders --group billing --from-beginning',
    'samsa topics:tail orders --from-beginning --format avro --registry-url http://127.0.0.1:8081',
  ],
  async run(ctx) {
    const name = ctx.args[0]!;
    const start = startFrom(ctx);
    const group = ctx.string('group');
    if (group !== undefined && (typeof start === 'object' || ctx.options.partition !== undefined)) {
      throw new UsageError(
        '--group resumes at the group\'s committed offsets; --from-time, --from-offset and --partition need no group (or move the group with "samsa consumer-groups:reset-offsets")',
      );
    }
    const grepText = ctx.string('grep');
    let grep: RegExp | undefined;
    try {
      grep = grepText === undefined ? undefined : new RegExp(grepText);
    } catch (err) {
      throw new UsageError(`--grep: ${(err as Error).message}`);
    }
    const formatOf = (option: string): SchemaFormat | undefined => {
      const value = ctx.string(option);
      if (value === undefined) return undefined;
      if (!(SCHEMA_FORMATS as readonly string[]).includes(value))
        throw new UsageError(`--${option} must be one of ${SCHEMA_FORMATS.join(', ')}, got "${value}"`);
      return value as SchemaFormat;
    };
    const valueFormat = formatOf('format');
    const keyFormat = formatOf('key-format');
    let decoder: RecordDecoder | null = null;
    if (valueFormat || keyFormat) {
      const url = ctx.string('registry-url') ?? ctx.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
      try {
        new URL(url);
      } catch {
        throw new UsageError(`--registry-url: "${url}" is not a URL`);
      }
      // Loaded only when asked for: the serdes pull in Avro, JSON Schema and Protobuf libraries.
      const { RecordDecoder } = await import('../schema-decoding.ts');
      decoder = ctx.own(new RecordDecoder({ url, valueFormat, keyFormat }));
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const settings: TailSettings = {
      name,
      wire: ctx.prefix.add(name),
      maxMessages: ctx.integer('max-messages', 0),
      maxLength: ctx.integer('max-length', 1),
      grep,
      signal: controller.signal,
      status: process.stderr.isTTY ? (text) => ctx.note(text) : () => {},
      decoder,
    };
    try {
      if (group !== undefined) await tailWithGroup(ctx, settings, group);
      else await tailWithoutGroup(ctx, settings, start);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
});
