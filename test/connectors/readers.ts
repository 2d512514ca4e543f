/**
 * Reading a topic with other people's clients, for the end-to-end tests: kcat (librdkafka) and
 * python3-confluent-kafka (the Debian package, run with /usr/bin/python3). Both return every
 * message from the beginning as { partition, offset, key, value, headers } with key and value as
 * UTF-8 text (null for null). Spawned asynchronously: the broker may run in this process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string][];
}

export async function readWithKcat(bootstrap: string, topic: string): Promise<ReadMessage[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning', '-J', '-q'],
    {
      maxBuffer: 1 << 30,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const m = JSON.parse(line) as {
        partition: number;
        offset: number;
        key: string | null;
        payload: string | null;
        headers?: string[];
      };
      const h = m.headers ?? [];
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < h.length; i += 2) headers.push([h[i]!, h[i + 1]!]);
      return { partition: m.partition, offset: m.offset, key: m.key, value: m.payload, headers };
    });
}

const PYTHON_READER = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic = sys.argv[1], sys.argv[2]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-reader', 'enable.auto.commit': False,
              'auto.offset.reset': 'earliest', 'enable.partition.eof': True})
md = c.list_topics(topic, timeout=10)
parts = list(md.topics[topic].partitions.keys())
c.assign([TopicPartition(topic, p, 0) for p in parts])
done = set()
out = []
while len(done) < len(parts):
    m = c.poll(5)
    if m is None:
        break
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            done.add(m.partition())
            continue
        raise Exception(m.error())
    d = lambda b: None if b is None else b.decode('utf-8')
    out.append({'partition': m.partition(), 'offset': m.offset(), 'key': d(m.key()), 'value': d(m.value()),
                'headers': [[k, d(v)] for k, v in (m.headers() or [])]})
c.close()
json.dump(out, sys.stdout)
`;

export async function readWithConfluentPython(bootstrap: string, topic: string): Promise<ReadMessage[]> {
  const { stdout } = await run('/usr/bin/python3', ['-c', PYTHON_READER, bootstrap, topic], {
    maxBuffer: 1 << 30,
  });
  return JSON.parse(stdout) as ReadMessage[];
}
