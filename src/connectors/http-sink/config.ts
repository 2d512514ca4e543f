/**
 * The HTTP sink's configuration: the Confluent HTTP Sink connector's property names where they exist
 * (`http.api.url`, `request.method`, `headers`, `auth.type`, `batch.*`, `request.body.format`,
 * `max.retries`, `retry.backoff.ms`, `behavior.on.*`, ...) plus Samsa's own (`batch.linger.ms`,
 * `max.in.flight.requests`, `retry.topics`, `retry.mode`, `dead.letter.topic`), parsed into typed
 * settings.
 *
 * Not implemented from Confluent's connector: OAuth2 and proxy authentication, client TLS key stores
 * (https URLs use Node's trust store), `report.errors.as` and the regex/JSONPath response handling.
 */
import {
  type ConfigDef,
  type ConnectConfig,
  ConnectorConfig,
  type ConnectorPluginInfo,
} from '../../connect/api/index.ts';
import { parseRetryDelays, type RetryStage } from './retry-topics.ts';
import { parseStatusRanges, type StatusRanges } from './status-ranges.ts';

export type BodyFormat = 'string' | 'json';
export type NullBehavior = 'ignore' | 'fail' | 'delete';
export type ErrorBehavior = 'fail' | 'log' | 'ignore';
export type RetryMode = 'topics' | 'blocking';
export type AuthType = 'NONE' | 'BASIC' | 'BEARER';

const GROUP_HTTP = 'HTTP';
const GROUP_BATCH = 'Batching';
const GROUP_RETRY = 'Retries';

function check(fn: (value: unknown) => string | null) {
  return (value: unknown): string | null => (value === null ? null : fn(value));
}

const positive = check((v) => (typeof v === 'number' && v >= 1 ? null : 'Value must be at least 1'));
const nonNegative = check((v) => (typeof v === 'number' && v >= 0 ? null : 'Value must be at least 0'));

export const HTTP_SINK_CONFIG: ConfigDef = [
  {
    name: 'http.api.url',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_HTTP,
    documentation:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the connector's own ${...} syntax
      'The endpoint records are sent to (http:// or https://). May contain ${topic}, ${key} and ${partition}: records are then batched per resolved URL.',
    validate: check((v) => {
      try {
        const url = new URL(String(v).replaceAll(/\$\{[^}]*\}/g, 'x'));
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? null
          : 'URL must be http:// or https://';
      } catch {
        return 'Not a valid URL';
      }
    }),
  },
  {
    name: 'request.method',
    type: 'STRING',
    default: 'POST',
    importance: 'HIGH',
    group: GROUP_HTTP,
    documentation: 'HTTP method of the requests.',
    recommendedValues: ['POST', 'PUT', 'PATCH'],
    strict: true,
  },
  {
    name: 'headers',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP_HTTP,
    documentation:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the connector's own ${...} syntax
      'Request headers as Name:Value pairs separated by header.separator, e.g. "Content-Type:application/json|X-Source:${topic}". Values may use ${topic}, ${partition}, ${key} and ${header.NAME} (a record header).',
  },
  {
    name: 'header.separator',
    type: 'STRING',
    default: '|',
    importance: 'LOW',
    group: GROUP_HTTP,
    documentation: 'Separator between the pairs in headers.',
  },
  {
    name: 'auth.type',
    type: 'STRING',
    default: 'NONE',
    importance: 'HIGH',
    group: GROUP_HTTP,
    documentation:
      'NONE, BASIC (connection.user/connection.password) or BEARER (bearer.token). OAUTH2 is not implemented.',
    recommendedValues: ['NONE', 'BASIC', 'BEARER'],
    strict: true,
  },
  {
    name: 'connection.user',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_HTTP,
    documentation: 'User name for auth.type=BASIC.',
  },
  {
    name: 'connection.password',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_HTTP,
    documentation: 'Password for auth.type=BASIC.',
  },
  {
    name: 'bearer.token',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_HTTP,
    documentation: 'Token sent as "Authorization: Bearer <token>" for auth.type=BEARER.',
  },
  {
    name: 'http.connect.timeout.ms',
    type: 'INT',
    default: 30_000,
    importance: 'LOW',
    group: GROUP_HTTP,
    documentation: 'Time allowed to open a connection to the endpoint.',
    validate: positive,
  },
  {
    name: 'http.request.timeout.ms',
    type: 'INT',
    default: 30_000,
    importance: 'LOW',
    group: GROUP_HTTP,
    documentation: 'Time allowed for one request to be answered (a timeout is a retryable failure).',
    validate: positive,
  },
  {
    name: 'max.in.flight.requests',
    type: 'INT',
    default: 8,
    importance: 'MEDIUM',
    group: GROUP_HTTP,
    documentation: 'Requests each task keeps in flight at once (its pool of parallel posts).',
    validate: positive,
  },
  {
    name: 'request.body.format',
    type: 'STRING',
    default: 'string',
    importance: 'MEDIUM',
    group: GROUP_BATCH,
    documentation:
      'string: each record value as text; json: each record value as JSON (objects are serialised, strings and bytes must already hold JSON text).',
    recommendedValues: ['string', 'json'],
    strict: true,
  },
  {
    name: 'batch.max.size',
    type: 'INT',
    default: 1,
    importance: 'HIGH',
    group: GROUP_BATCH,
    documentation: 'Most records in one request.',
    validate: positive,
  },
  {
    name: 'batch.linger.ms',
    type: 'INT',
    default: 50,
    importance: 'MEDIUM',
    group: GROUP_BATCH,
    documentation: 'How long a batch that is not full waits for more records before it is sent.',
    validate: nonNegative,
  },
  {
    name: 'batch.json.as.array',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP_BATCH,
    documentation:
      'With request.body.format=json, send a batch as one JSON array (batch.prefix/suffix/separator are then ignored).',
  },
  {
    name: 'batch.prefix',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: GROUP_BATCH,
    documentation: 'Text before the first record of a request body.',
  },
  {
    name: 'batch.suffix',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: GROUP_BATCH,
    documentation: 'Text after the last record of a request body.',
  },
  {
    name: 'batch.separator',
    type: 'STRING',
    default: ',',
    importance: 'LOW',
    group: GROUP_BATCH,
    documentation: 'Text between records in a request body.',
  },
  {
    name: 'behavior.on.null.values',
    type: 'STRING',
    default: 'ignore',
    importance: 'LOW',
    group: GROUP_BATCH,
    documentation:
      'Records with a null value (tombstones): ignore (skip them), fail (treat as an error: dead-letter topic or behavior.on.error), or delete (send a DELETE request to http.api.url for each).',
    recommendedValues: ['ignore', 'fail', 'delete'],
    strict: true,
  },
  {
    name: 'max.retries',
    type: 'INT',
    default: 10,
    importance: 'MEDIUM',
    group: GROUP_RETRY,
    documentation:
      'Retries of a failed request inside the task before its records go to the next retry topic (or the dead-letter topic).',
    validate: nonNegative,
  },
  {
    name: 'retry.backoff.ms',
    type: 'INT',
    default: 3_000,
    importance: 'MEDIUM',
    group: GROUP_RETRY,
    documentation:
      'Wait before the first in-task retry; doubles with each retry (with jitter) up to retry.backoff.max.ms. A Retry-After answer wins when longer.',
    validate: nonNegative,
  },
  {
    name: 'retry.backoff.policy',
    type: 'STRING',
    default: 'EXPONENTIAL_WITH_JITTER',
    importance: 'LOW',
    group: GROUP_RETRY,
    documentation: 'CONSTANT_VALUE or EXPONENTIAL_WITH_JITTER.',
    recommendedValues: ['CONSTANT_VALUE', 'EXPONENTIAL_WITH_JITTER'],
    strict: true,
  },
  {
    name: 'retry.backoff.max.ms',
    type: 'INT',
    default: 60_000,
    importance: 'LOW',
    group: GROUP_RETRY,
    documentation:
      'Longest in-task wait between retries. A Retry-After longer than this hands the records to the next retry topic (which then also waits for Retry-After).',
    validate: nonNegative,
  },
  {
    name: 'retry.on.status.codes',
    type: 'STRING',
    default: '408,429,500-',
    importance: 'MEDIUM',
    group: GROUP_RETRY,
    documentation:
      'HTTP statuses that are retried, as codes and ranges ("408,429,500-" = 408, 429 and every 5xx). Other failing statuses go straight to the dead-letter topic. Connection errors and timeouts are always retried.',
    validate: check((v) => {
      try {
        parseStatusRanges(String(v));
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    }),
  },
  {
    name: 'retry.topics',
    type: 'LIST',
    default: [],
    importance: 'HIGH',
    group: GROUP_RETRY,
    documentation:
      'Delays of the retry stages, in order (e.g. "1m,10m,1h"). Records whose request still fails after max.retries go to <topic>-retry-<delay> of the next stage and are tried again once that delay has passed since they were written there; after the last stage they go to dead.letter.topic.',
    validate: check((v) => {
      try {
        parseRetryDelays(v as readonly string[]);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    }),
  },
  {
    name: 'retry.mode',
    type: 'STRING',
    default: 'topics',
    importance: 'MEDIUM',
    group: GROUP_RETRY,
    documentation:
      'topics: failed records go through the retry topics and the partition keeps flowing (order per key is not kept). blocking: the partition is paused and the same batch is retried in place after each retry.topics delay, keeping order.',
    recommendedValues: ['topics', 'blocking'],
    strict: true,
  },
  {
    name: 'dead.letter.topic',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: GROUP_RETRY,
    documentation:
      'Topic for records that could not be delivered (non-retryable status, malformed record, or every retry stage failed), with headers naming the original topic, partition and offset, attempts, first failure time, last status and error. Empty: behavior.on.error decides.',
  },
  {
    name: 'behavior.on.error',
    type: 'STRING',
    default: 'fail',
    importance: 'MEDIUM',
    group: GROUP_RETRY,
    documentation:
      'What happens to records that could not be delivered when there is no dead-letter topic (neither dead.letter.topic nor errors.deadletterqueue.topic.name): fail the task (they are redelivered after a restart), log them, or ignore them.',
    recommendedValues: ['fail', 'log', 'ignore'],
    strict: true,
  },
];

export interface HttpSinkSettings {
  readonly url: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Header templates, name → value with ${...}. */
  readonly headers: readonly (readonly [string, string])[];
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly bodyFormat: BodyFormat;
  readonly batchMaxSize: number;
  readonly lingerMs: number;
  readonly jsonArray: boolean;
  readonly prefix: string;
  readonly suffix: string;
  readonly separator: string;
  readonly onNull: NullBehavior;
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  readonly exponentialBackoff: boolean;
  readonly retryStatuses: StatusRanges;
  readonly retryStages: readonly RetryStage[];
  readonly retryMode: RetryMode;
  readonly deadLetterTopic: string | null;
  readonly onError: ErrorBehavior;
  /** Topics from `topics` (retry topics are derived from these). */
  readonly topics: readonly string[];
}

function parseHeaders(text: string, separator: string): [string, string][] {
  if (text.trim() === '') return [];
  return text
    .split(separator)
    .filter((pair) => pair.trim() !== '')
    .map((pair) => {
      const at = pair.indexOf(':');
      if (at <= 0)
        throw new Error(`Invalid value ${text} for configuration headers: "${pair}" is not Name:Value`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    });
}

function authHeader(config: ConnectorConfig): [string, string] | null {
  const type = config.string('auth.type') as AuthType;
  if (type === 'BASIC') {
    const user = config.optionalString('connection.user') ?? '';
    const password = config.optionalString('connection.password') ?? '';
    return ['Authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`];
  }
  if (type === 'BEARER') return ['Authorization', `Bearer ${config.optionalString('bearer.token') ?? ''}`];
  return null;
}

/** Cross-key checks the ConfigDef cannot express: key → messages. */
export function crossCheck(raw: ConnectConfig): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  const add = (key: string, message: string): void => {
    errors.set(key, [...(errors.get(key) ?? []), message]);
  };
  const config = new ConnectorConfig(HTTP_SINK_CONFIG, raw);
  if (config.errors.size > 0) return errors;
  const auth = config.string('auth.type');
  if (auth === 'BASIC' && config.optionalString('connection.user') === null)
    add('connection.user', 'auth.type=BASIC needs connection.user');
  if (auth === 'BEARER' && config.optionalString('bearer.token') === null)
    add('bearer.token', 'auth.type=BEARER needs bearer.token');
  const stages = config.list('retry.topics');
  if (stages.length > 0 && (raw.topics ?? '').trim() === '')
    add(
      'retry.topics',
      'retry.topics needs the topics to be listed in "topics" (the retry topics are named <topic>-retry-<delay>); topics.regex is not supported with retry topics',
    );
  if (config.string('retry.mode') === 'blocking' && stages.length === 0)
    add('retry.mode', 'retry.mode=blocking needs retry.topics: the delays between rounds of retries');
  try {
    parseHeaders(config.string('headers'), config.string('header.separator'));
  } catch (err) {
    add('headers', (err as Error).message);
  }
  return errors;
}

export function httpSinkSettings(raw: ConnectConfig): HttpSinkSettings {
  const config = new ConnectorConfig(HTTP_SINK_CONFIG, raw).assertValid();
  const problems = crossCheck(raw);
  if (problems.size > 0) throw new Error([...problems.values()].flat().join('\n'));
  const headers = parseHeaders(config.string('headers'), config.string('header.separator'));
  const auth = authHeader(config);
  if (auth) headers.push(auth);
  const topics = (raw.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const deadLetter = config.string('dead.letter.topic').trim();
  return {
    url: config.string('http.api.url'),
    method: config.string('request.method').toUpperCase() as HttpSinkSettings['method'],
    headers,
    connectTimeoutMs: config.number('http.connect.timeout.ms'),
    requestTimeoutMs: config.number('http.request.timeout.ms'),
    maxInFlight: config.number('max.in.flight.requests'),
    bodyFormat: config.string('request.body.format') as BodyFormat,
    batchMaxSize: config.number('batch.max.size'),
    lingerMs: config.number('batch.linger.ms'),
    jsonArray: config.boolean('batch.json.as.array'),
    // Kept as written: whitespace such as a newline separator is meaningful here.
    prefix: raw['batch.prefix'] ?? '',
    suffix: raw['batch.suffix'] ?? '',
    separator: raw['batch.separator'] ?? ',',
    onNull: config.string('behavior.on.null.values') as NullBehavior,
    maxRetries: config.number('max.retries'),
    backoffMs: config.number('retry.backoff.ms'),
    backoffMaxMs: config.number('retry.backoff.max.ms'),
    exponentialBackoff: config.string('retry.backoff.policy') === 'EXPONENTIAL_WITH_JITTER',
    retryStatuses: parseStatusRanges(config.string('retry.on.status.codes')),
    retryStages: parseRetryDelays(config.list('retry.topics')),
    retryMode: config.string('retry.mode') as RetryMode,
    deadLetterTopic: deadLetter === '' ? null : deadLetter,
    onError: config.string('behavior.on.error') as ErrorBehavior,
    topics,
  };
}

export const HTTP_SINK_CLASS = 'samsa.connect.http.HttpSinkConnector';

/** The plugin's names and keys, listed before its code (and undici) is loaded (src/connectors/index.ts). */
export const HTTP_SINK_INFO = {
  type: 'sink',
  className: HTTP_SINK_CLASS,
  aliases: ['io.confluent.connect.http.HttpSinkConnector'],
  version: '0.1.0',
  config: HTTP_SINK_CONFIG,
} as const satisfies ConnectorPluginInfo;
