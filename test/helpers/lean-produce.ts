/**
 * Counts the Produce requests sent on the batch producer's own lean connections in this process
 * (the diagnostics channel of src/client/kafka-socket.ts), for tests that check which connections
 * carried a client's records.
 */
import { requestChannel } from '../../src/client/kafka-socket.ts';

const PRODUCE = 0;

export interface LeanProduceCounter {
  /** Produce requests seen since the counter was created. */
  readonly count: number;
  stop(): void;
}

export function countLeanProduce(): LeanProduceCounter {
  let count = 0;
  const onRequest = (msg: unknown): void => {
    if ((msg as { apiKey: number }).apiKey === PRODUCE) count++;
  };
  requestChannel.subscribe(onRequest);
  return {
    get count() {
      return count;
    },
    stop: () => requestChannel.unsubscribe(onRequest),
  };
}
