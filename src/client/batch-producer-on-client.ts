/**
 * `BatchProducer` options for sending on an existing @platformatic/kafka client's behalf (the streams
 * collector's at_least_once output, a Connect source task's records): the client's bootstrap brokers
 * and connection pool (Metadata, and Produce with SASL), and, unless the client authenticates with
 * SASL, Produce on the batch producer's own lean connections with the client's TLS settings
 * (kafka-socket.ts: one write per request, no copy of each request by the library's connection).
 * It does not carry the client's other settings (timeouts, retries): the caller passes its own.
 */
import { type Base, kOptions } from '@platformatic/kafka';
import type { BatchProducerOptions } from './batch-producer.ts';

type ClientOptions = {
  bootstrapBrokers: readonly (string | { host: string; port: number })[];
  tls?: BatchProducerOptions['tls'];
  tlsServerName?: string | boolean;
  sasl?: unknown;
};

export function batchProducerOnClient(
  client: Base,
): Pick<
  BatchProducerOptions,
  'bootstrapBrokers' | 'connections' | 'leanConnections' | 'tls' | 'tlsServerName'
> {
  const o = (client as unknown as { [kOptions]: ClientOptions })[kOptions];
  const lean = o.sasl === undefined;
  return {
    bootstrapBrokers: o.bootstrapBrokers.map((b) => (typeof b === 'string' ? b : `${b.host}:${b.port}`)),
    connections: client.connections,
    leanConnections: lean,
    ...(lean && o.tls ? { tls: o.tls } : {}),
    ...(lean && o.tlsServerName !== undefined ? { tlsServerName: o.tlsServerName } : {}),
  };
}
