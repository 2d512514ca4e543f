/**
 * registerStreamsMetrics publishes a streams instance's metrics on a prom-client registry (issue 17
 * §1), here the TopologyTestDriver's: records processed per task show in the text format.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRegistry } from '../../src/metrics/index.ts';
import {
  registerStreamsMetrics,
  Serdes,
  StreamsBuilder,
  TopologyTestDriver,
} from '../../src/streams/index.ts';

test('records processed per task appear under Kafka Streams names', async () => {
  const S = Serdes.String();
  const b = new StreamsBuilder();
  b.stream<string, string>('in', { keySerde: S, valueSerde: S })
    .mapValues((v) => v.toUpperCase())
    .to('out', { keySerde: S, valueSerde: S });
  const d = new TopologyTestDriver(b.build(), { 'application.id': 'prom-test' }, 0);
  const registry = createRegistry({ processMetrics: false });
  registerStreamsMetrics(d, registry);
  const input = d.createInputTopic('in', S, S);
  for (const v of ['a', 'b', 'c']) input.pipeInput('k', v);
  assert.equal(d.createOutputTopic('out', S, S).readValuesToList().length, 3);
  const text = await registry.metrics();
  d.close();
  assert.match(text, /^kafka_streams_stream_task_metrics_process_total\{task_id="0_0"\} 3$/m);
  assert.match(text, /^# TYPE kafka_streams_stream_thread_metrics_process_total counter$/m);
});
