/**
 * Broker configuration: defaults, and loading from a config file, SAMSA_* environment variables and
 * command-line flags (later sources win). Every setting has one name used in all three places:
 * `--data-dir` on the command line, `SAMSA_DATA_DIR` in the environment, `data-dir` (or Kafka's
 * dotted name where one exists, e.g. `num.partitions`) in a `.json` or `.properties` config file.
 * Invalid values throw ConfigError with a message naming the setting.
 */

import { readFileSync } from 'node:fs';
import { fromKafkaServerProperties } from './kafka-server-properties.ts';
import { parseProperties } from './properties.ts';

export type FsyncPolicy = 'always' | 'interval' | 'never';
export type TlsClientAuth = 'none' | 'requested' | 'required';

export interface BrokerConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Host name given to clients in Metadata; defaults to `host`. */
  advertisedHost: string | undefined;
  dataDir: string;
  nodeId: number;
  fsync: FsyncPolicy;
  /** With fsync=interval: how often the log is flushed. */
  flushIntervalMs: number;
  autoCreateTopics: boolean;
  numPartitions: number;
  /** socket.request.max.bytes: larger frames close the connection. */
  socketRequestMaxBytes: number;
  /** connections.max.idle.ms */
  connectionsMaxIdleMs: number;
  /** queued.max.response.bytes: broker-wide bound on memory held for unsent responses. */
  queuedMaxResponseBytes: number;
  /** queued.max.response.bytes.per.connection: one connection's share of it. */
  queuedMaxResponseBytesPerConnection: number;
  /** message.max.bytes: broker default for a topic's max.message.bytes. */
  messageMaxBytes: number;
  /** log.segment.bytes */
  segmentBytes: number;
  /** log.retention.ms (-1 keeps forever) */
  retentionMs: number;
  /** log.retention.check.interval.ms: how often retention runs. */
  logRetentionCheckIntervalMs: number;
  /** log.cleaner.backoff.ms: pause between log cleaner passes. */
  logCleanerBackoffMs: number;
  /** log.initial.task.delay.ms: the first retention and cleaner passes run this long after start. */
  logInitialTaskDelayMs: number;
  /** producer.id.expiration.ms: idle producers' state is dropped after this. */
  producerIdExpirationMs: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckIntervalMs: number;
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** Log level for the structured logger. */
  logLevel: string;
  /** Kafka-style listener list (PLAINTEXT://host:port,SASL_SSL://host:port); empty = PLAINTEXT on host:port. */
  listeners: string;
  /** PEM files for SSL / SASL_SSL listeners. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  tlsCa: string | undefined;
  tlsClientAuth: TlsClientAuth;
  /** ssl.principal.mapping.rules for certificate principals. */
  tlsPrincipalMapping: string | undefined;
  /** Comma-separated SASL mechanisms offered on SASL listeners. */
  saslEnabledMechanisms: string;
  /** NAME:PASSWORD users created (or reset) at start, for both SCRAM mechanisms. */
  scramUsers: string[];
  /** A SASL connection that has not authenticated within this time is closed. */
  saslHandshakeTimeoutMs: number;
  /** sasl.server.max.receive.size: largest request a SASL connection may send before it authenticates. */
  saslServerMaxReceiveSize: number;
  /** connections.max.reauth.ms: SASL sessions must re-authenticate within this (0 = never). */
  connectionsMaxReauthMs: number;
  /** max.connections and max.connections.per.ip */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** 'none' (everyone may do everything) or 'acl' (Kafka ACLs, deny by default). */
  authorizer: 'none' | 'acl';
  /** Principals that bypass ACLs, e.g. ['User:admin']. */
  superUsers: string[];
  /** NAME:PREFIX entries: principal User:NAME sees and uses only resources starting with PREFIX. */
  tenants: string[];
  /** transaction.max.timeout.ms: the largest transaction timeout a producer may ask for. */
  transactionMaxTimeoutMs: number;
  /** How often open transactions past their timeout are looked for and aborted. */
  transactionAbortTimedOutIntervalMs: number;
  /** transactional.id.expiration.ms: idle transactional ids are forgotten after this. */
  transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  transactionRemoveExpiredIntervalMs: number;
  /** group.consumer.session.timeout.ms: consumer-protocol members silent this long are removed. */
  groupConsumerSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms: how often consumer-protocol members heartbeat. */
  groupConsumerHeartbeatIntervalMs: number;
  /** group.consumer.assignors: server-side assignors offered, the first being the default. */
  groupConsumerAssignors: string[];
  /** quota.window.num: client quota rates are measured over this many windows. */
  quotaWindowNum: number;
  /** quota.window.size.seconds: the length of one quota window. */
  quotaWindowSizeSeconds: number;
  /** Port of the Prometheus `/metrics` endpoint; unset = `samsa start`'s default (9644), 0 = off. */
  metricsPort: number | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG: BrokerConfig = {
  host: '127.0.0.1',
  port: 9092,
  advertisedHost: undefined,
  dataDir: './samsa-data',
  nodeId: 1,
  fsync: 'never',
  flushIntervalMs: 1000,
  autoCreateTopics: true,
  numPartitions: 1,
  socketRequestMaxBytes: 100 * 1024 * 1024,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  queuedMaxResponseBytes: 256 * 1024 * 1024,
  queuedMaxResponseBytesPerConnection: 64 * 1024 * 1024,
  messageMaxBytes: 1024 * 1024 + 12,
  segmentBytes: 1024 * 1024 * 1024,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  logRetentionCheckIntervalMs: 300_000,
  logCleanerBackoffMs: 15_000,
  logInitialTaskDelayMs: 30_000,
  producerIdExpirationMs: 86_400_000,
  producerIdExpirationCheckIntervalMs: 600_000,
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  logLevel: 'info',
  listeners: '',
  tlsCert: undefined,
  tlsKey: undefined,
  tlsCa: undefined,
  tlsClientAuth: 'none',
  tlsPrincipalMapping: undefined,
  saslEnabledMechanisms: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  scramUsers: [],
  saslHandshakeTimeoutMs: 10_000,
  saslServerMaxReceiveSize: 524_288,
  connectionsMaxReauthMs: 0,
  maxConnections: 10_000,
  maxConnectionsPerIp: 10_000,
  authorizer: 'none',
  superUsers: [],
  tenants: [],
  transactionMaxTimeoutMs: 900_000,
  transactionAbortTimedOutIntervalMs: 10_000,
  transactionalIdExpirationMs: 604_800_000,
  transactionRemoveExpiredIntervalMs: 3_600_000,
  groupConsumerSessionTimeoutMs: 45_000,
  groupConsumerHeartbeatIntervalMs: 5000,
  groupConsumerAssignors: ['uniform', 'range'],
  quotaWindowNum: 11,
  quotaWindowSizeSeconds: 1,
  metricsPort: undefined,
};

type Kind = 'string' | 'int' | 'bool' | 'fsync' | 'list' | 'client-auth' | 'authorizer';

interface Setting {
  key: keyof BrokerConfig;
  flag: string;
  kafkaName?: string;
  kind: Kind;
  min?: number;
  help: string;
}

/** Every setting with its flag name; `samsa start --help` prints this table. */
export const SETTINGS: readonly Setting[] = [
  { key: 'host', flag: 'host', kind: 'string', help: 'address to listen on' },
  { key: 'port', flag: 'port', kind: 'int', min: 0, help: 'port to listen on (0 = any free port)' },
  {
    key: 'advertisedHost',
    flag: 'advertised-host',
    kind: 'string',
    help: 'host name clients are told to use',
  },
  { key: 'dataDir', flag: 'data-dir', kafkaName: 'log.dirs', kind: 'string', help: 'where logs are stored' },
  { key: 'nodeId', flag: 'node-id', kafkaName: 'node.id', kind: 'int', min: 0, help: 'broker id' },
  {
    key: 'fsync',
    flag: 'fsync',
    kind: 'fsync',
    help: 'always (fsync before acks=-1, group commit) | interval | never',
  },
  {
    key: 'flushIntervalMs',
    flag: 'flush-interval-ms',
    kafkaName: 'log.flush.interval.ms',
    kind: 'int',
    min: 1,
    help: 'flush period with --fsync interval',
  },
  {
    key: 'autoCreateTopics',
    flag: 'auto-create-topics',
    kafkaName: 'auto.create.topics.enable',
    kind: 'bool',
    help: 'create topics on first metadata request',
  },
  {
    key: 'numPartitions',
    flag: 'num-partitions',
    kafkaName: 'num.partitions',
    kind: 'int',
    min: 1,
    help: 'partitions of auto-created topics',
  },
  {
    key: 'socketRequestMaxBytes',
    flag: 'socket-request-max-bytes',
    kafkaName: 'socket.request.max.bytes',
    kind: 'int',
    min: 1024,
    help: 'largest request accepted',
  },
  {
    key: 'connectionsMaxIdleMs',
    flag: 'connections-max-idle-ms',
    kafkaName: 'connections.max.idle.ms',
    kind: 'int',
    min: 1,
    help: 'idle connections are closed after this',
  },
  {
    key: 'queuedMaxResponseBytes',
    flag: 'queued-max-response-bytes',
    kafkaName: 'queued.max.response.bytes',
    kind: 'int',
    min: 1024,
    help: 'memory held for unsent responses, broker-wide; connections holding any stop being read past it',
  },
  {
    key: 'queuedMaxResponseBytesPerConnection',
    flag: 'queued-max-response-bytes-per-connection',
    kafkaName: 'queued.max.response.bytes.per.connection',
    kind: 'int',
    min: 1024,
    help: "one connection's share of it: reading pauses once it holds this much, until its writes drain",
  },
  {
    key: 'messageMaxBytes',
    flag: 'message-max-bytes',
    kafkaName: 'message.max.bytes',
    kind: 'int',
    min: 1,
    help: 'largest record batch accepted',
  },
  {
    key: 'segmentBytes',
    flag: 'segment-bytes',
    kafkaName: 'log.segment.bytes',
    kind: 'int',
    min: 1024,
    help: 'segment file size before rolling',
  },
  {
    key: 'retentionMs',
    flag: 'retention-ms',
    kafkaName: 'log.retention.ms',
    kind: 'int',
    min: -1,
    help: 'default retention.ms for topics',
  },
  {
    key: 'logRetentionCheckIntervalMs',
    flag: 'log-retention-check-interval-ms',
    kafkaName: 'log.retention.check.interval.ms',
    kind: 'int',
    min: 1,
    help: 'how often old segments are checked for deletion',
  },
  {
    key: 'logCleanerBackoffMs',
    flag: 'log-cleaner-backoff-ms',
    kafkaName: 'log.cleaner.backoff.ms',
    kind: 'int',
    min: 1,
    help: 'pause between log cleaner (compaction) passes',
  },
  {
    key: 'logInitialTaskDelayMs',
    flag: 'log-initial-task-delay-ms',
    kafkaName: 'log.initial.task.delay.ms',
    kind: 'int',
    min: 0,
    help: 'the first retention and cleaner passes run this long after start',
  },
  {
    key: 'producerIdExpirationMs',
    flag: 'producer-id-expiration-ms',
    kafkaName: 'producer.id.expiration.ms',
    kind: 'int',
    min: 1,
    help: 'idle time after which a producer id is forgotten (its dedupe state dropped)',
  },
  {
    key: 'producerIdExpirationCheckIntervalMs',
    flag: 'producer-id-expiration-check-interval-ms',
    kafkaName: 'producer.id.expiration.check.interval.ms',
    kind: 'int',
    min: 1,
    help: 'how often idle producer ids are looked for',
  },
  {
    key: 'groupInitialRebalanceDelayMs',
    flag: 'group-initial-rebalance-delay-ms',
    kafkaName: 'group.initial.rebalance.delay.ms',
    kind: 'int',
    min: 0,
    help: 'wait for more members before the first rebalance',
  },
  {
    key: 'groupMinSessionTimeoutMs',
    flag: 'group-min-session-timeout-ms',
    kafkaName: 'group.min.session.timeout.ms',
    kind: 'int',
    min: 1,
    help: 'smallest session timeout a consumer may ask for',
  },
  {
    key: 'offsetsRetentionMs',
    flag: 'offsets-retention-ms',
    kafkaName: 'offsets.retention.ms',
    kind: 'int',
    min: 1,
    help: 'committed offsets of empty groups expire after this',
  },
  {
    key: 'listeners',
    flag: 'listeners',
    kafkaName: 'listeners',
    kind: 'string',
    help: 'PLAINTEXT://host:port,SSL://...,SASL_PLAINTEXT://...,SASL_SSL://...',
  },
  { key: 'tlsCert', flag: 'tls-cert', kind: 'string', help: 'PEM certificate (chain) for SSL listeners' },
  { key: 'tlsKey', flag: 'tls-key', kind: 'string', help: 'PEM private key for SSL listeners' },
  { key: 'tlsCa', flag: 'tls-ca', kind: 'string', help: 'PEM CA bundle that signs client certificates' },
  {
    key: 'tlsClientAuth',
    flag: 'tls-client-auth',
    kafkaName: 'ssl.client.auth',
    kind: 'client-auth',
    help: 'none | requested | required',
  },
  {
    key: 'tlsPrincipalMapping',
    flag: 'tls-principal-mapping',
    kafkaName: 'ssl.principal.mapping.rules',
    kind: 'string',
    help: 'RULE:pattern/replacement/[LU],DEFAULT',
  },
  {
    key: 'saslEnabledMechanisms',
    flag: 'sasl-enabled-mechanisms',
    kafkaName: 'sasl.enabled.mechanisms',
    kind: 'string',
    help: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
  },
  {
    key: 'scramUsers',
    flag: 'scram-user',
    kind: 'list',
    help: 'NAME:PASSWORD, repeatable: SCRAM users created at start',
  },
  {
    key: 'saslHandshakeTimeoutMs',
    flag: 'sasl-handshake-timeout-ms',
    kind: 'int',
    min: 1,
    help: 'close SASL connections not authenticated in time',
  },
  {
    key: 'saslServerMaxReceiveSize',
    flag: 'sasl-server-max-receive-size',
    kafkaName: 'sasl.server.max.receive.size',
    kind: 'int',
    min: 1024,
    help: 'largest request accepted before SASL authentication',
  },
  {
    key: 'connectionsMaxReauthMs',
    flag: 'connections-max-reauth-ms',
    kafkaName: 'connections.max.reauth.ms',
    kind: 'int',
    min: 0,
    help: 'SASL sessions must re-authenticate within this (0 = never)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    kafkaName: 'max.connections',
    kind: 'int',
    min: 1,
    help: 'connections accepted at once',
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    kafkaName: 'max.connections.per.ip',
    kind: 'int',
    min: 1,
    help: 'connections accepted at once from one address',
  },
  {
    key: 'transactionMaxTimeoutMs',
    flag: 'transaction-max-timeout-ms',
    kafkaName: 'transaction.max.timeout.ms',
    kind: 'int',
    min: 1,
    help: 'largest transaction timeout producers may ask for',
  },
  {
    key: 'transactionAbortTimedOutIntervalMs',
    flag: 'transaction-abort-timed-out-interval-ms',
    kafkaName: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    kind: 'int',
    min: 1,
    help: 'how often timed-out transactions are aborted',
  },
  {
    key: 'transactionalIdExpirationMs',
    flag: 'transactional-id-expiration-ms',
    kafkaName: 'transactional.id.expiration.ms',
    kind: 'int',
    min: 1,
    help: 'idle time after which a transactional id with no transaction in progress is forgotten',
  },
  {
    key: 'transactionRemoveExpiredIntervalMs',
    flag: 'transaction-remove-expired-interval-ms',
    kafkaName: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    kind: 'int',
    min: 1,
    help: 'how often expired transactional ids are looked for',
  },
  {
    key: 'groupConsumerSessionTimeoutMs',
    flag: 'group-consumer-session-timeout-ms',
    kafkaName: 'group.consumer.session.timeout.ms',
    kind: 'int',
    min: 1,
    help: 'consumer-protocol (KIP-848) members silent this long are removed',
  },
  {
    key: 'groupConsumerHeartbeatIntervalMs',
    flag: 'group-consumer-heartbeat-interval-ms',
    kafkaName: 'group.consumer.heartbeat.interval.ms',
    kind: 'int',
    min: 1,
    help: 'how often consumer-protocol members heartbeat',
  },
  {
    key: 'groupConsumerAssignors',
    flag: 'group-consumer-assignors',
    kafkaName: 'group.consumer.assignors',
    kind: 'list',
    help: 'uniform,range: server-side assignors offered, the first is the default',
  },
  {
    key: 'quotaWindowNum',
    flag: 'quota-window-num',
    kafkaName: 'quota.window.num',
    kind: 'int',
    min: 2,
    help: 'client quota rates are measured over this many windows',
  },
  {
    key: 'quotaWindowSizeSeconds',
    flag: 'quota-window-size-seconds',
    kafkaName: 'quota.window.size.seconds',
    kind: 'int',
    min: 1,
    help: 'length of one client quota window',
  },
  {
    key: 'authorizer',
    flag: 'authorizer',
    kind: 'authorizer',
    help: 'none | acl (Kafka ACLs, deny by default)',
  },
  {
    key: 'superUsers',
    flag: 'super-users',
    kafkaName: 'super.users',
    kind: 'list',
    help: 'User:a;User:b — principals that bypass ACLs',
  },
  {
    key: 'tenants',
    flag: 'tenant',
    kind: 'list',
    help: 'NAME:PREFIX, repeatable: User:NAME only sees and uses resources under PREFIX',
  },
  {
    key: 'metricsPort',
    flag: 'metrics-port',
    kafkaName: 'metrics.port',
    kind: 'int',
    min: 0,
    help: 'Prometheus /metrics port (samsa start: 9644, or a free one with --port 0; 0 = off)',
  },
  { key: 'logLevel', flag: 'log-level', kind: 'string', help: 'trace | debug | info | warn | error' },
];

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
      if ((s.key === 'port' || s.key === 'metricsPort') && n > 65535)
        throw new ConfigError(`${source}: ${s.flag} must be <= 65535, got ${n}`);
      return n;
    }
    case 'bool':
      if (['true', '1', 'yes', ''].includes(text.toLowerCase())) return true;
      if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
      throw new ConfigError(`${source}: ${s.flag} must be true or false, got "${text}"`);
    case 'fsync':
      if (text === 'always' || text === 'interval' || text === 'never') return text;
      throw new ConfigError(`${source}: fsync must be always, interval or never, got "${text}"`);
    case 'authorizer':
      if (text === 'none' || text === 'acl') return text;
      throw new ConfigError(`${source}: authorizer must be none or acl, got "${text}"`);
    case 'client-auth':
      if (text === 'none' || text === 'requested' || text === 'required') return text;
      throw new ConfigError(`${source}: tls-client-auth must be none, requested or required, got "${text}"`);
    case 'list': {
      // Repeated flags give an array; commas also separate entries, except in passwords.
      const values = Array.isArray(raw) ? raw.map(String) : [text];
      const items = (
        s.key === 'scramUsers' && Array.isArray(raw)
          ? values
          : values.flatMap((v) => (s.key === 'superUsers' ? splitPrincipals(v) : v.split(',')))
      )
        .map((x) => x.trim())
        .filter((x) => x !== '');
      if (s.key === 'tenants') {
        for (const t of items)
          if (!/^.+:[^:]+$/.test(t))
            throw new ConfigError(`${source}: tenant must be NAME:PREFIX, got "${t}"`);
      }
      if (s.key === 'groupConsumerAssignors') {
        for (const a of items)
          if (a !== 'uniform' && a !== 'range')
            throw new ConfigError(`${source}: group-consumer-assignors takes uniform and range, got "${a}"`);
        if (items.length === 0)
          throw new ConfigError(`${source}: group-consumer-assignors must not be empty`);
      }
      if (s.key === 'superUsers') {
        for (const u of items)
          if (!/^[A-Za-z]+:.+$/.test(u))
            throw new ConfigError(`${source}: super user must be a principal like User:admin, got "${u}"`);
      }
      if (s.key === 'scramUsers') {
        for (const u of items)
          if (!/^[^:]+:.+$/.test(u))
            throw new ConfigError(`${source}: scram-user must be NAME:PASSWORD, got "${u}"`);
      }
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
    const v = env[`SAMSA_${s.flag.toUpperCase().replaceAll('-', '_')}`];
    if (v !== undefined) fromEnv[s.flag] = v;
  }
  apply(config, fromEnv, 'environment');
  apply(config, flags, 'command line');
  return config;
}
