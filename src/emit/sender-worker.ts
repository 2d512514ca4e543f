/**
 * The entry of the sender's worker thread (sender-thread.ts starts it): a `Sender` fed from the
 * app's thread. Messages in: `[id, ArrayBuffer]` (a batch, packed by `packRecords`), `'close'`.
 * Messages out: `[id, rejected, errors]` (a settled batch), `{ problem, fields }`, `'closed'`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchProducerOptions } from '../client/batch-producer.ts';
import { unpackRecords } from './record.ts';
import { Sender } from './sender.ts';

const port = parentPort!;
const sender = new Sender(workerData as BatchProducerOptions, {
  settled: (id, rejected, errors) => port.postMessage([id, rejected, errors]),
  problem: (fields, problem) => port.postMessage({ problem, fields }),
});
port.on('message', (message: [number, ArrayBuffer] | 'close') => {
  if (message === 'close') {
    sender.close().then(() => {
      port.postMessage('closed');
      port.close();
    });
    return;
  }
  sender.send(message[0], unpackRecords(message[1]));
});
