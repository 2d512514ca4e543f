/**
 * Turns failures into one clear message: the Kafka error name the broker answered with, its own
 * message, and a hint at what to do. Errors from the client library are walked (aggregates and
 * causes) so the broker's answer surfaces instead of "operation failed 4 times".
 */
import type { NamePrefix } from '../client/prefix.ts';

/** A failure the CLI itself detected, with an optional hint. Exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

const HINTS: Record<string, string> = {
  TOPIC_ALREADY_EXISTS: 'the name is taken: see it with "samsa topics:info NAME", or choose another name',
  INVALID_TOPIC_EXCEPTION:
    "topic names are 1-249 characters of letters, digits, '.', '_' and '-', and cannot be '.' or '..'",
  UNKNOWN_TOPIC_OR_PARTITION: 'no such topic or partition: "samsa topics" lists the topics',
  UNKNOWN_TOPIC_ID: 'the topic was deleted or recreated: "samsa topics" lists the topics',
  INVALID_PARTITIONS: 'the partition count must be at least 1 (and can only grow)',
  INVALID_REPLICATION_FACTOR:
    'the replication factor cannot exceed the number of brokers ("samsa info" lists them)',
  INVALID_REPLICA_ASSIGNMENT: 'partitions can only be assigned to existing brokers',
  INVALID_CONFIG: 'check the config name and value against the topic configs Kafka documents',
  POLICY_VIOLATION: "the cluster's policy rejected the request; ask its operator which settings are allowed",
  GROUP_ID_NOT_FOUND: 'no such consumer group: "samsa consumer-groups" lists them',
  NON_EMPTY_GROUP: 'the group still has active members: stop its consumers first',
  INVALID_GROUP_ID: 'group ids cannot be empty',
  COORDINATOR_NOT_AVAILABLE: 'the group coordinator is starting or moving; try again in a moment',
  NOT_COORDINATOR: 'the group coordinator moved; try again',
  REBALANCE_IN_PROGRESS: 'the group is rebalancing; stop its consumers or try again in a moment',
  UNKNOWN_MEMBER_ID: 'the group has active members: stop its consumers first, then retry',
  ILLEGAL_GENERATION: 'the group has active members: stop its consumers first, then retry',
  OFFSET_OUT_OF_RANGE: 'the offset is outside the partition (see "samsa topics:info NAME" for its range)',
  MESSAGE_TOO_LARGE: "the record exceeds the topic's max.message.bytes",
  RECORD_LIST_TOO_LARGE: "the batch exceeds the topic's max.message.bytes",
  TOPIC_AUTHORIZATION_FAILED: 'your credentials are not allowed to use this topic (check the ACLs)',
  GROUP_AUTHORIZATION_FAILED: 'your credentials are not allowed to use this group (check the ACLs)',
  CLUSTER_AUTHORIZATION_FAILED: 'your credentials are not allowed to administer the cluster (check the ACLs)',
  SASL_AUTHENTICATION_FAILED:
    'check --sasl-username/--sasl-password (or KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD)',
  UNSUPPORTED_SASL_MECHANISM: 'the broker does not accept this SASL mechanism; try another --sasl-mechanism',
  ILLEGAL_SASL_STATE: 'the broker expects SASL: set --sasl-username and --sasl-password',
  UNSUPPORTED_VERSION: 'the broker does not support this request; it may be older than this tool expects',
  INVALID_REQUEST: 'the broker rejected the request as malformed',
  LEADER_NOT_AVAILABLE: 'the partition has no leader right now; try again in a moment',
  NOT_LEADER_OR_FOLLOWER: 'the partition leader moved; try again',
  REQUEST_TIMED_OUT: 'the broker did not answer in time; try again',
  UNKNOWN_SERVER_ERROR: 'the broker failed unexpectedly; its log has the details',
};

interface KafkaFailure {
  name: string;
  message: string | null;
}

type Walkable = Error & {
  apiId?: unknown;
  serverErrorMessage?: unknown;
  code?: unknown;
  errors?: unknown;
};

function walk(err: unknown, visit: (e: Walkable) => void, depth = 0): void {
  if (!(err instanceof Error) || depth > 8) return;
  const e = err as Walkable;
  visit(e);
  if (Array.isArray(e.errors)) for (const inner of e.errors) walk(inner, visit, depth + 1);
  if (e.cause !== undefined) walk(e.cause, visit, depth + 1);
}

/** The distinct Kafka errors (by name) the broker answered with, anywhere in the error tree. */
export function kafkaFailures(err: unknown): KafkaFailure[] {
  const found = new Map<string, KafkaFailure>();
  walk(err, (e) => {
    if (typeof e.apiId === 'string' && e.apiId !== 'NONE' && !found.has(e.apiId)) {
      found.set(e.apiId, {
        name: e.apiId,
        message:
          typeof e.serverErrorMessage === 'string' && e.serverErrorMessage !== ''
            ? e.serverErrorMessage
            : null,
      });
    }
  });
  return [...found.values()];
}

/** The Kafka error names in an error (e.g. to treat TOPIC_ALREADY_EXISTS specially). */
export function kafkaErrorNames(err: unknown): string[] {
  return kafkaFailures(err).map((f) => f.name);
}

function deepest(err: unknown, code: string): Walkable | undefined {
  let hit: Walkable | undefined;
  walk(err, (e) => {
    if (e.code === code) hit = e;
  });
  return hit;
}

export interface ErrorReport {
  message: string;
  hint?: string;
}

/** What to tell the user about a failure. */
export function describeError(err: unknown, prefix: NamePrefix, bootstrap: readonly string[]): ErrorReport {
  if (err instanceof CliError)
    return err.hint === undefined ? { message: err.message } : { message: err.message, hint: err.hint };
  const failures = kafkaFailures(err);
  if (failures.length > 0) {
    const message = failures
      .map((f) => (f.message ? `${f.name}: ${prefix.scrub(f.message)}` : f.name))
      .join('; ');
    const hint = failures.map((f) => HINTS[f.name]).find((h) => h !== undefined);
    return hint === undefined ? { message } : { message, hint };
  }
  const unknownTopic = /^Unknown topic (.+)\.$/.exec(deepest(err, 'PLT_KFK_USER')?.message ?? '');
  if (unknownTopic) {
    // The client library reports Metadata's UNKNOWN_TOPIC_OR_PARTITION this way.
    return {
      message: `UNKNOWN_TOPIC_OR_PARTITION: topic ${prefix.scrub(unknownTopic[1]!)} does not exist`,
      hint: HINTS.UNKNOWN_TOPIC_OR_PARTITION!,
    };
  }
  const unsupported = deepest(err, 'PLT_KFK_UNSUPPORTED_API');
  if (unsupported) {
    return {
      message: `UNSUPPORTED_VERSION: ${unsupported.message}`,
      hint: 'the broker does not implement this Kafka API (yet); the command needs a broker that does',
    };
  }
  const auth = deepest(err, 'PLT_KFK_AUTHENTICATION');
  if (auth)
    return {
      message: `SASL_AUTHENTICATION_FAILED: ${auth.message}`,
      hint: HINTS.SASL_AUTHENTICATION_FAILED!,
    };
  const network = deepest(err, 'PLT_KFK_NETWORK');
  if (network) {
    const cause = network.cause instanceof Error ? ` (${network.cause.message})` : '';
    return {
      message: `cannot reach the broker at ${bootstrap.join(',')}: ${network.message}${cause}`,
      hint: 'check --bootstrap or KAFKA_URL, and that the broker is running (samsa start)',
    };
  }
  return { message: err instanceof Error ? prefix.scrub(err.message) : String(err) };
}
