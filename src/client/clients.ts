/**
 * Builds @platformatic/kafka clients for platform tools from parsed connection options, with
 * settings suited to short-lived tools: a few quick retries, bounded timeouts, no topic
 * auto-creation. Callers close what they create.
 */
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './connection-options.ts';
import { javaPartitioner } from './partitioner.ts';

export interface ClientSettings {
  clientId: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

function base(connection: KafkaConnectionOptions, settings: ClientSettings) {
  return {
    ...connection,
    clientId: settings.clientId,
    connectTimeout: 5_000,
    timeout: settings.timeoutMs ?? 15_000,
    requestTimeout: settings.timeoutMs ?? 30_000,
    retries: 3,
    retryDelay: 250,
    autocreateTopics: false,
  };
}

export function createAdmin(connection: KafkaConnectionOptions, settings: ClientSettings): Admin {
  return new Admin(base(connection, settings));
}

/** A producer for raw bytes (keys, values and headers are Buffers). */
export function createProducer(
  connection: KafkaConnectionOptions,
  settings: ClientSettings & {
    /** Idempotent: the broker takes each partition's batches only in order, so several may be in flight. */
    idempotent?: boolean;
  },
): Producer {
  return new Producer({
    ...base(connection, settings),
    acks: -1,
    partitioner: javaPartitioner(),
    ...(settings.idempotent ? { idempotent: true } : {}),
  });
}

/** Classic group timeouts (ms) a consumer that joins its group should use on every JoinGroup. */
export interface GroupTimeouts {
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
}

/**
 * A consumer for raw bytes. `groupId` is required by the library; a consumer that only calls
 * `fetch` never joins it. A consumer that joins must get its group timeouts here, not only in
 * `joinGroup()`: the library rejoins on its own (after a commit fails with a rebalance error) with
 * `joinGroup({})`, which falls back to these options — else to its defaults (60 s session, 102 s
 * rebalance), and the broker then keeps a dead member for 60 s.
 */
export function createConsumer(
  connection: KafkaConnectionOptions,
  settings: ClientSettings & { groupId: string } & GroupTimeouts,
): Consumer {
  const { sessionTimeout, rebalanceTimeout, heartbeatInterval } = settings;
  return new Consumer({
    ...base(connection, settings),
    groupId: settings.groupId,
    isolationLevel: 1,
    maxWaitTime: 500,
    autocommit: false,
    ...(sessionTimeout === undefined ? {} : { sessionTimeout }),
    ...(rebalanceTimeout === undefined ? {} : { rebalanceTimeout }),
    ...(heartbeatInterval === undefined ? {} : { heartbeatInterval }),
  });
}
