/**
 * Broker configuration, from one declarative table (`SETTINGS`): each setting is written once, with
 * its key, kind, default, bounds or choices, Kafka name and help, and everything else is derived
 * from that row — the `BrokerConfig` type, `DEFAULT_CONFIG`, the `samsa start` flags and their help
 * (`--data-dir`), the `SAMSA_*` environment variables (`SAMSA_DATA_DIR`), the names accepted in a
 * `.json` or `.properties` config file (`data-dir`, the key `dataDir`, or Kafka's dotted name where
 * one exists, e.g. `num.partitions`), validation (ConfigError naming the setting) and the broker's
 * DescribeConfigs entries (settings with a Kafka name, their type and documentation).
 * Sources apply in order, later ones winning: defaults, config file, environment, flags.
 * Not derived from the table: the Kafka settings a single node accepts but cannot change
 * (fixed-broker-configs.ts), the server.properties rewrites (kafka-server-properties.ts) and the
 * topic configs' broker defaults (topic-config.ts).
 */

import { readFileSync } from 'node:fs';
import { fromKafkaServerProperties } from './kafka-server-properties.ts';
import { parseProperties } from './properties.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never';
export type TlsClientAuth = 'none' | 'requested' | 'required';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Kind = 'string' | 'int' | 'bool' | 'choice' | 'list';

/** One row of the table. `V` is the setting's value type, from which BrokerConfig is derived. */
export interface Setting<K extends string = string, V = unknown> {
  readonly key: K;
  /** Flag name (`--data-dir`); the env variable is `SAMSA_` + it upper-cased with `_`. */
  readonly flag: string;
  /** Kafka's name: accepted in config files and listed by DescribeConfigs. */
  readonly kafkaName: string | undefined;
  readonly kind: Kind;
  readonly default: V;
  /** Integers: inclusive bounds. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** `choice`: the values allowed; `list`: the values each entry may take. */
  readonly choices: readonly string[] | undefined;
  /** Lists: `,` separates entries, or principals as Kafka separates super users (splitPrincipals);
   * `repeat`: repeated flags give the entries as they are (a single value still splits on `,`). */
  readonly split: 'comma' | 'principals' | 'repeat';
  /** Lists: what each entry must look like, and how the error says it. */
  readonly entry: { readonly pattern: RegExp; readonly problem: string } | undefined;
  /** Lists: an empty list is an error. */
  readonly nonEmpty: boolean;
  readonly help: string;
  /** What DescribeConfigs reports when the value is empty (listeners: the one it serves). */
  readonly describeEmpty: ((listener: { host: string; port: number }) => string) | undefined;
}

interface Options {
  flag?: string;
  kafkaName?: string;
  help: string;
}

/** camelCase key → kebab-case flag (`dataDir` → `data-dir`). */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function row<K extends string, V>(
  key: K,
  kind: Kind,
  defaultValue: V,
  o: Options &
    Partial<Pick<Setting, 'min' | 'max' | 'choices' | 'split' | 'entry' | 'nonEmpty' | 'describeEmpty'>>,
): Setting<K, V> {
  return {
    key,
    flag: o.flag ?? kebab(key),
    kafkaName: o.kafkaName,
    kind,
    default: defaultValue,
    min: o.min,
    max: o.max,
    choices: o.choices,
    split: o.split ?? 'comma',
    entry: o.entry,
    nonEmpty: o.nonEmpty ?? false,
    help: o.help,
    describeEmpty: o.describeEmpty,
  };
}

const int = <K extends string>(key: K, d: number, o: Options & { min?: number; max?: number }) =>
  row(key, 'int', d, o);
const optionalInt = <K extends string>(key: K, o: Options & { min?: number; max?: number }) =>
  row<K, number | undefined>(key, 'int', undefined, o);
const text = <K extends string>(key: K, d: string, o: Options & Pick<Partial<Setting>, 'describeEmpty'>) =>
  row(key, 'string', d, o);
const optionalText = <K extends string>(key: K, o: Options) =>
  row<K, string | undefined>(key, 'string', undefined, o);
const bool = <K extends string>(key: K, d: boolean, o: Options) => row(key, 'bool', d, o);
const choice = <K extends string, C extends string>(key: K, choices: readonly C[], d: C, o: Options) =>
  row<K, C>(key, 'choice', d, { ...o, choices });
const list = <K extends string>(
  key: K,
  d: string[],
  o: Options & Partial<Pick<Setting, 'choices' | 'split' | 'entry' | 'nonEmpty'>>,
) => row<K, string[]>(key, 'list', d, o);

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every broker setting, in the order `samsa start --help` lists them. */
const TABLE = [
  text('host', '127.0.0.1', { help: 'address to listen on' }),
  int('port', 9092, { min: 0, max: 65535, help: 'port to listen on (0 = any free port)' }),
  optionalText('advertisedHost', { help: 'host name clients are told to use' }),
  text('dataDir', './samsa-data', { kafkaName: 'log.dirs', help: 'where logs are stored' }),
  int('nodeId', 1, { kafkaName: 'node.id', min: 0, help: 'broker id' }),
  choice('fsync', ['always', 'interval', 'never'] as const, 'never', {
    help: 'always (fsync before acks=-1, group commit) | interval | never',
  }),
  int('flushIntervalMs', 1000, {
    kafkaName: 'log.flush.interval.ms',
    min: 1,
    help: 'flush period with --fsync interval',
  }),
  bool('autoCreateTopics', true, {
    kafkaName: 'auto.create.topics.enable',
    help: 'create topics on first metadata request',
  }),
  int('numPartitions', 1, { kafkaName: 'num.partitions', min: 1, help: 'partitions of auto-created topics' }),
  int('socketRequestMaxBytes', 100 * 1024 * 1024, {
    kafkaName: 'socket.request.max.bytes',
    min: 1024,
    help: 'largest request accepted',
  }),
  int('connectionsMaxIdleMs', 10 * 60 * 1000, {
    kafkaName: 'connections.max.idle.ms',
    min: 1,
    help: 'idle connections are closed after this',
  }),
  int('queuedMaxResponseBytes', 256 * 1024 * 1024, {
    kafkaName: 'queued.max.response.bytes',
    min: 1024,
    help: 'memory held for unsent responses, broker-wide; connections holding any stop being read past it',
  }),
  int('queuedMaxResponseBytesPerConnection', 64 * 1024 * 1024, {
    kafkaName: 'queued.max.response.bytes.per.connection',
    min: 1024,
    help: "one connection's share of it: reading pauses once it holds this much, until its writes drain",
  }),
  int('messageMaxBytes', 1024 * 1024 + 12, {
    kafkaName: 'message.max.bytes',
    min: 1,
    help: 'largest record batch accepted',
  }),
  int('segmentBytes', 1024 * 1024 * 1024, {
    kafkaName: 'log.segment.bytes',
    min: 1024,
    help: 'segment file size before rolling',
  }),
  int('retentionMs', 7 * DAY_MS, {
    kafkaName: 'log.retention.ms',
    min: -1,
    help: 'default retention.ms for topics',
  }),
  int('logRetentionCheckIntervalMs', 300_000, {
    kafkaName: 'log.retention.check.interval.ms',
    min: 1,
    help: 'how often old segments are checked for deletion',
  }),
  int('logCleanerBackoffMs', 15_000, {
    kafkaName: 'log.cleaner.backoff.ms',
    min: 1,
    help: 'pause between log cleaner (compaction) passes',
  }),
  int('logInitialTaskDelayMs', 30_000, {
    kafkaName: 'log.initial.task.delay.ms',
    min: 0,
    help: 'the first retention and cleaner passes run this long after start',
  }),
  int('producerIdExpirationMs', 86_400_000, {
    kafkaName: 'producer.id.expiration.ms',
    min: 1,
    help: 'idle time after which a producer id is forgotten (its dedupe state dropped)',
  }),
  int('producerIdExpirationCheckIntervalMs', 600_000, {
    kafkaName: 'producer.id.expiration.check.interval.ms',
    min: 1,
    help: 'how often idle producer ids are looked for',
  }),
  int('groupInitialRebalanceDelayMs', 3000, {
    kafkaName: 'group.initial.rebalance.delay.ms',
    min: 0,
    help: 'wait for more members before the first rebalance',
  }),
  int('groupMinSessionTimeoutMs', 6000, {
    kafkaName: 'group.min.session.timeout.ms',
    min: 1,
    help: 'smallest session timeout a consumer may ask for',
  }),
  int('offsetsRetentionMs', 7 * DAY_MS, {
    kafkaName: 'offsets.retention.ms',
    min: 1,
    help: 'committed offsets of empty groups expire after this',
  }),
  text('listeners', '', {
    kafkaName: 'listeners',
    help: 'PLAINTEXT://host:port,SSL://...,SASL_PLAINTEXT://...,SASL_SSL://...',
    describeEmpty: (l) => `PLAINTEXT://${l.host}:${l.port}`,
  }),
  optionalText('tlsCert', { help: 'PEM certificate (chain) for SSL listeners' }),
  optionalText('tlsKey', { help: 'PEM private key for SSL listeners' }),
  optionalText('tlsCa', { help: 'PEM CA bundle that signs client certificates' }),
  choice('tlsClientAuth', ['none', 'requested', 'required'] as const, 'none', {
    kafkaName: 'ssl.client.auth',
    help: 'none | requested | required',
  }),
  optionalText('tlsPrincipalMapping', {
    kafkaName: 'ssl.principal.mapping.rules',
    help: 'RULE:pattern/replacement/[LU],DEFAULT',
  }),
  text('saslEnabledMechanisms', 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512', {
    kafkaName: 'sasl.enabled.mechanisms',
    help: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  }),
  list('scramUsers', [], {
    flag: 'scram-user',
    split: 'repeat',
    entry: { pattern: /^[^:]+:.+$/, problem: 'scram-user must be NAME:PASSWORD' },
    help: 'NAME:PASSWORD, repeatable: SCRAM users created at start',
  }),
  int('saslHandshakeTimeoutMs', 10_000, { min: 1, help: 'close SASL connections not authenticated in time' }),
  int('saslServerMaxReceiveSize', 524_288, {
    kafkaName: 'sasl.server.max.receive.size',
    min: 1024,
    help: 'largest request accepted before SASL authentication',
  }),
  int('connectionsMaxReauthMs', 0, {
    kafkaName: 'connections.max.reauth.ms',
    min: 0,
    help: 'SASL sessions must re-authenticate within this (0 = never)',
  }),
  int('maxConnections', 10_000, {
    kafkaName: 'max.connections',
    min: 1,
    help: 'connections accepted at once',
  }),
  int('maxConnectionsPerIp', 10_000, {
    kafkaName: 'max.connections.per.ip',
    min: 1,
    help: 'connections accepted at once from one address',
  }),
  int('transactionMaxTimeoutMs', 900_000, {
    kafkaName: 'transaction.max.timeout.ms',
    min: 1,
    help: 'largest transaction timeout producers may ask for',
  }),
  int('transactionAbortTimedOutIntervalMs', 10_000, {
    kafkaName: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    min: 1,
    help: 'how often timed-out transactions are aborted',
  }),
  int('transactionalIdExpirationMs', 604_800_000, {
    kafkaName: 'transactional.id.expiration.ms',
    min: 1,
    help: 'idle time after which a transactional id with no transaction in progress is forgotten',
  }),
  int('transactionRemoveExpiredIntervalMs', 3_600_000, {
    kafkaName: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    min: 1,
    help: 'how often expired transactional ids are looked for',
  }),
  int('groupConsumerSessionTimeoutMs', 45_000, {
    kafkaName: 'group.consumer.session.timeout.ms',
    min: 1,
    help: 'consumer-protocol (KIP-848) members silent this long are removed',
  }),
  int('groupConsumerHeartbeatIntervalMs', 5000, {
    kafkaName: 'group.consumer.heartbeat.interval.ms',
    min: 1,
    help: 'how often consumer-protocol members heartbeat',
  }),
  list('groupConsumerAssignors', ['uniform', 'range'], {
    kafkaName: 'group.consumer.assignors',
    entry: { pattern: /^(uniform|range)$/, problem: 'group-consumer-assignors takes uniform and range' },
    nonEmpty: true,
    help: 'uniform,range: server-side assignors offered, the first is the default',
  }),
  int('quotaWindowNum', 11, {
    kafkaName: 'quota.window.num',
    min: 2,
    help: 'client quota rates are measured over this many windows',
  }),
  int('quotaWindowSizeSeconds', 1, {
    kafkaName: 'quota.window.size.seconds',
    min: 1,
    help: 'length of one client quota window',
  }),
  choice('authorizer', ['none', 'acl'] as const, 'none', {
    help: 'none | acl (Kafka ACLs, deny by default)',
  }),
  list('superUsers', [], {
    kafkaName: 'super.users',
    split: 'principals',
    entry: { pattern: /^[A-Za-z]+:.+$/, problem: 'super user must be a principal like User:admin' },
    help: 'User:a;User:b — principals that bypass ACLs',
  }),
  list('tenants', [], {
    flag: 'tenant',
    entry: { pattern: /^.+:[^:]+$/, problem: 'tenant must be NAME:PREFIX' },
    help: 'NAME:PREFIX, repeatable: User:NAME only sees and uses resources under PREFIX',
  }),
  optionalInt('metricsPort', {
    kafkaName: 'metrics.port',
    min: 0,
    max: 65535,
    help: 'Prometheus /metrics port (samsa start: 9644, or a free one with --port 0; 0 = off)',
  }),
  text('logLevel', 'info', { help: 'trace | debug | info | warn | error' }),
] as const;

type Row = (typeof TABLE)[number];

/**
 * The broker's settings, derived from the table: one property per row, typed by its default
 * (`fsync: 'always' | 'interval' | 'never'`, `metricsPort: number | undefined`, ...). Each row's
 * `help` says what the setting does.
 */
export type BrokerConfig = { [R in Row as R['key']]: R['default'] };

/** Every setting; `samsa start --help` prints this table. */
export const SETTINGS: readonly Setting<keyof BrokerConfig>[] = TABLE;

/** The defaults, from the table (lists copied, so a config never shares one with the table). */
export const DEFAULT_CONFIG: BrokerConfig = Object.fromEntries(
  SETTINGS.map((s) => [s.key, Array.isArray(s.default) ? [...s.default] : s.default]),
) as BrokerConfig;

/** The SAMSA_* environment variable of a setting (`data-dir` → `SAMSA_DATA_DIR`). */
export function envName(s: Setting): string {
  return `SAMSA_${s.flag.toUpperCase().replaceAll('-', '_')}`;
}

/** A setting as DescribeConfigs lists it for the broker (settings with a Kafka name). */
export interface DescribedSetting {
  readonly name: string;
  readonly value: string;
  /** The value with no source setting it (the table's default). */
  readonly defaultValue: string;
  readonly type: 'long' | 'boolean' | 'string';
  readonly doc: string;
}

/** The broker's settings that have a Kafka name, as DescribeConfigs reports them (`listener`: the
 * address it serves, for settings whose empty value means it). */
export function describeSettings(
  config: BrokerConfig,
  listener: { host: string; port: number },
): DescribedSetting[] {
  const out: DescribedSetting[] = [];
  for (const s of SETTINGS) {
    if (!s.kafkaName) continue;
    let value = String(config[s.key] ?? '');
    if (value === '' && s.describeEmpty) value = s.describeEmpty(listener);
    out.push({
      name: s.kafkaName,
      value,
      defaultValue: String(DEFAULT_CONFIG[s.key] ?? ''),
      type: s.kind === 'int' ? 'long' : s.kind === 'bool' ? 'boolean' : 'string',
      doc: s.help,
    });
  }
  return out;
}

/** `a, b or c` */
function alternatives(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

function coerce(s: Setting, raw: unknown, source: string): unknown {
  const text = String(raw).trim();
  switch (s.kind) {
    case 'string':
      if (text === '') throw new ConfigError(`${source}: ${s.flag} must not be empty`);
      return text;
    case 'int': {
      if (!/^-?\d+$/.test(text))
        throw new ConfigError(`${source}: ${s.flag} must be an integer, got "${text}"`);
      const n = Number(text);
      if (s.min !== undefined && n < s.min)
        throw new ConfigError(`${source}: ${s.flag} must be >= ${s.min}, got ${n}`);
      if (s.max !== undefined && n > s.max)
        throw new ConfigError(`${source}: ${s.flag} must be <= ${s.max}, got ${n}`);
      return n;
    }
    case 'bool':
      if (['true', '1', 'yes', ''].includes(text.toLowerCase())) return true;
      if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
      throw new ConfigError(`${source}: ${s.flag} must be true or false, got "${text}"`);
    case 'choice':
      if (s.choices?.includes(text)) return text;
      throw new ConfigError(`${source}: ${s.flag} must be ${alternatives(s.choices ?? [])}, got "${text}"`);
    case 'list': {
      // Repeated flags give an array; commas also separate entries, except in repeated NAME:PASSWORD.
      const values = Array.isArray(raw) ? raw.map(String) : [text];
      const items = (
        s.split === 'repeat' && Array.isArray(raw)
          ? values
          : values.flatMap((v) => (s.split === 'principals' ? splitPrincipals(v) : v.split(',')))
      )
        .map((x) => x.trim())
        .filter((x) => x !== '');
      if (s.entry)
        for (const item of items)
          if (!s.entry.pattern.test(item))
            throw new ConfigError(`${source}: ${s.entry.problem}, got "${item}"`);
      if (s.nonEmpty && items.length === 0) throw new ConfigError(`${source}: ${s.flag} must not be empty`);
      return items;
    }
  }
}

/**
 * Super users as Kafka writes them, separated by `;` (`User:CN=alice,OU=eng,O=Acme;User:admin`). A
 * comma separates principals too, but only where a new principal (`Type:`) follows it, so the
 * commas inside a certificate's distinguished name never split it (`User:a,User:b` is two users,
 * `User:CN=alice,OU=eng` one). Backslash-escaped separators (`\,`, `\;`, as in DN values) never split.
 */
export function splitPrincipals(text: string): string[] {
  return text.split(/(?<!\\);|(?<!\\),(?=\s*[A-Za-z]+:)/);
}

function settingByName(name: string): Setting | undefined {
  return SETTINGS.find((s) => s.flag === name || s.kafkaName === name || s.key === name);
}

function parseFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return fromKafkaServerProperties(Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value])));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`);
  }
}

function apply(
  config: BrokerConfig,
  values: Record<string, unknown>,
  source: string,
  unknownWarns = false,
): void {
  for (const [name, raw] of Object.entries(values)) {
    const s = settingByName(name);
    if (!s && unknownWarns) {
      // A Kafka server.properties has settings a single node does without: warn, not fail.
      process.emitWarning(`${source}: ignoring unknown setting "${name}"`, 'SamsaConfigWarning');
      continue;
    }
    if (!s) throw new ConfigError(`${source}: unknown setting "${name}"`);
    (config as unknown as Record<string, unknown>)[s.key] = coerce(s, raw, source);
  }
}

/**
 * Builds the configuration from `defaults`, then `configFile`, then `SAMSA_*` variables in `env`,
 * then `flags` (flag name → value, e.g. `{ port: '9093' }`).
 */
export function loadConfig(
  flags: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
  configFile?: string,
  defaults: BrokerConfig = DEFAULT_CONFIG,
): BrokerConfig {
  const config: BrokerConfig = { ...defaults };
  if (configFile) apply(config, parseFile(configFile), configFile, true);
  const fromEnv: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const v = env[envName(s)];
    if (v !== undefined) fromEnv[s.flag] = v;
  }
  apply(config, fromEnv, 'environment');
  apply(config, flags, 'command line');
  return config;
}
