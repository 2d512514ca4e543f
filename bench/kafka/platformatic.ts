/**
 * A real client's figure: @platformatic/kafka's Producer sending 100 B values in `send()` calls of
 * `messagesPerSend` messages, `inFlight` sends outstanding (its realistic usage for throughput).
 */
import { Producer } from '@platformatic/kafka';

export interface ClientProduceOptions {
  port: number;
  topic: string;
  recordSize: number;
  acks: number;
  messagesPerSend: number;
  inFlight: number;
  warmupMs: number;
  durationMs: number;
}

export interface ClientProduceResult {
  records: number;
  seconds: number;
  error?: string;
}

export async function platformaticProduce(o: ClientProduceOptions): Promise<ClientProduceResult> {
  const producer = new Producer({
    clientId: 'samsa-bench',
    bootstrapBrokers: [`127.0.0.1:${o.port}`],
    acks: o.acks,
    idempotent: false,
    maxInflights: o.inFlight,
    retries: 0,
    timeout: 30000,
  });
  const value = Buffer.alloc(o.recordSize, 0x61);
  const messages = Array.from({ length: o.messagesPerSend }, () => ({ topic: o.topic, value, partition: 0 }));
  let acked = 0;
  let error: string | undefined;
  let running = true;
  const loop = async (): Promise<void> => {
    while (running && !error) {
      try {
        await producer.send({ messages });
        acked += messages.length;
      } catch (err) {
        error ??= (err as Error).message;
      }
    }
  };
  const loops = Array.from({ length: o.inFlight }, loop);
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const a0 = acked;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  const records = acked - a0;
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 10000))]);
  await producer.close(true).catch(() => {});
  return { records, seconds, error };
}
