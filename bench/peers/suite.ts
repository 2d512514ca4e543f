/** The peers a user would pick instead, each started (or found) when present, else a "not available" row. */
import type { BenchOptions } from '../lib/options.ts';
import { stopAll } from '../lib/procs.ts';
import { unavailable } from '../lib/result.ts';
import { settle } from '../lib/settle.ts';
import type { Emit } from './common.ts';
import { natsSuite } from './nats.ts';
import { postgresSuite } from './postgres.ts';
import { rabbitmqSuite } from './rabbitmq.ts';
import { redisSuite } from './redis.ts';

export async function peersSuite(o: BenchOptions, emit: Emit): Promise<void> {
  const peers: [string, (o: BenchOptions, emit: Emit) => Promise<void>][] = [
    ['Redis Streams', redisSuite],
    ['NATS JetStream', natsSuite],
    ['RabbitMQ Streams', rabbitmqSuite],
    ['PostgreSQL', postgresSuite],
  ];
  for (const [name, run] of peers) {
    await settle();
    try {
      await run(o, emit);
    } catch (err) {
      emit(unavailable(name, '-', 'all', `failed: ${(err as Error).message}`));
    }
    await stopAll();
  }
}
