/**
 * One @platformatic/kafka `Connection` to the first bootstrap broker, with the same TLS and SASL
 * options as the library's clients, for requests its Admin has no call for (SCRAM users, metadata of
 * internal topics). The connection is closed when `fn` settles.
 */
import { Connection } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from './connection-options.ts';

export async function withBrokerConnection<T>(
  options: KafkaConnectionOptions,
  clientId: string,
  fn: (c: Connection) => Promise<T>,
): Promise<T> {
  const first = options.bootstrapBrokers[0];
  if (!first) throw new Error('no bootstrap broker given');
  const at = first.lastIndexOf(':');
  const host = first.slice(0, at);
  const port = Number(first.slice(at + 1));
  const connection = new Connection(clientId, {
    connectTimeout: 5_000,
    requestTimeout: 15_000,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.tlsServerName ? { tlsServerName: host } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
  });
  await connection.connect(host, port);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}
