/**
 * Word count, the classic, with exactly-once: lines from `lines` are split into words, counted
 * per word (state in `wordcount-counts`, changelog `wordcount-counts-changelog`) and the counts
 * written to `word-counts`, all in one transaction per commit (processing.guarantee
 * exactly_once_v2). Run against `npx samsa start`:
 *
 *   npx node --conditions=development examples/streams-wordcount/app.ts
 */
import { KafkaStreams, Serdes, StreamsBuilder } from 'samsa/streams';
import { BOOTSTRAP, EXIT_WHEN_DONE, ensureTopics, send, tail } from '../streams-common/kafka.ts';

await ensureTopics([
  { name: 'lines', partitions: 2 },
  { name: 'word-counts', partitions: 2 },
]);

const builder = new StreamsBuilder();
builder
  .stream('lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
  .groupBy((_key, word) => word)
  .count({ name: 'counts' })
  .toStream()
  .mapValues((n) => String(n))
  .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.String() });

const app = new KafkaStreams(builder.build(), {
  'application.id': 'wordcount',
  'bootstrap.servers': BOOTSTRAP,
  'processing.guarantee': 'exactly_once_v2',
});
await app.start();

const runId = Date.now().toString(36);
await send('lines', [
  { key: runId, value: 'All streams flow to the sea' },
  { key: runId, value: 'yet the sea is not full' },
  { key: runId, value: 'streams of records, streams of events' },
]);
console.log(`counting words (run ${runId}); word-counts, read_committed:`);
await tail(
  'word-counts',
  (word, count) => `  ${word.padEnd(10)} ${count}`,
  (seen) => EXIT_WHEN_DONE && Number(seen.get('streams') ?? 0) >= 3 && Number(seen.get('sea') ?? 0) >= 2,
);
await app.close();
