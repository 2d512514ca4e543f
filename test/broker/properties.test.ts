/**
 * `.properties` files read as java.util.Properties.load does, and a Kafka server.properties passed
 * to --config: the settings Samsa knows apply, the rest warn instead of failing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/broker/config.ts';
import { parseListeners } from '../../src/broker/listeners.ts';
import { parseProperties } from '../../src/broker/properties.ts';

const props = (text: string) => Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value]));

describe('parseProperties', () => {
  it('takes =, : or whitespace as the separator, and # or ! comments', () => {
    assert.deepEqual(props('a=1\nb: 2\nc 3\n  d\t=\t4\n# e=5\n  ! f=6\ng\nh=\n'), {
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      g: '',
      h: '',
    });
  });

  it('joins continuation lines (odd number of backslashes) and drops their leading whitespace', () => {
    assert.deepEqual(props('list=a,\\\n    b,\\\n\tc\nodd=x\\\\\nnext=y\n'), {
      list: 'a,b,c',
      odd: 'x\\',
      next: 'y',
    });
    assert.deepEqual(props('# comment \\\nk=v\n'), { k: 'v' }, 'a comment line does not continue');
  });

  it('resolves escapes in keys and values, \\uXXXX included; CRLF line ends', () => {
    assert.deepEqual(props('my\\=key\\ x=tab\\there\r\nu=\\u0041\\u00e9\\\\\r\nz=\\q\n'), {
      'my=key x': 'tab\there',
      u: 'Aé\\',
      z: 'q',
    });
    assert.throws(() => parseProperties('k=\\u12'), /malformed \\uxxxx encoding/);
  });

  it('keeps the last of repeated keys', () => {
    assert.deepEqual(props('k=1\nk=2\n'), { k: '2' });
  });
});

describe('samsa start --config with a Kafka server.properties', () => {
  it('applies the settings it knows and warns about the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-properties-'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const file = join(dir, 'server.properties');
      writeFileSync(
        file,
        [
          '############################# Server Basics #############################',
          'process.roles=broker,controller',
          'node.id=3',
          'num.network.threads=3',
          'log.dirs=/tmp/kraft-combined-logs',
          'num.partitions : 4',
          'log.retention.check.interval.ms   300000',
          'sasl.enabled.mechanisms=PLAIN,\\',
          '    SCRAM-SHA-256',
          'group.initial.rebalance.delay.ms=0',
          '',
        ].join('\n'),
      );
      const config = loadConfig({}, {}, file);
      assert.equal(config.nodeId, 3);
      assert.equal(config.dataDir, '/tmp/kraft-combined-logs');
      assert.equal(config.numPartitions, 4);
      assert.equal(config.logRetentionCheckIntervalMs, 300000);
      assert.equal(config.saslEnabledMechanisms, 'PLAIN,SCRAM-SHA-256');
      assert.equal(config.groupInitialRebalanceDelayMs, 0);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.deepEqual(
        warnings.filter((w) => w.includes('unknown setting')),
        [
          `${file}: ignoring unknown setting "process.roles"`,
          `${file}: ignoring unknown setting "num.network.threads"`,
        ],
      );
      // Flags and variables still fail on unknown names.
      assert.throws(() => loadConfig({ 'no-such-flag': '1' }), ConfigError);
    } finally {
      process.off('warning', onWarning);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Kafka 4.0's shipped config/server.properties (KRaft, combined mode), its comments shortened. */
const KAFKA_SERVER_PROPERTIES = `
############################# Server Basics #############################
# The role of this server. Setting this puts us in KRaft mode
process.roles=broker,controller
# The node id associated with this instance's roles
node.id=1
# List of controller endpoints used connect to the controller cluster
controller.quorum.bootstrap.servers=localhost:9093
############################# Socket Server Settings #############################
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
############################# Log Basics #############################
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
############################# Internal Topic Settings  #############################
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
############################# Log Retention Policy #############################
log.retention.hours=168
#log.retention.bytes=1073741824
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;

describe("Kafka's own server.properties", () => {
  it('loads unchanged: controller listeners dropped, retention hours in ms, the rest warned about', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-server-properties-'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const file = join(dir, 'server.properties');
      writeFileSync(file, `${KAFKA_SERVER_PROPERTIES}offsets.retention.minutes=60\n`);
      const config = loadConfig({}, {}, file);
      assert.equal(config.listeners, 'PLAINTEXT://:9092');
      assert.deepEqual(parseListeners(config.listeners), [
        { protocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      ]);
      assert.equal(config.retentionMs, 168 * 3_600_000);
      assert.equal(config.offsetsRetentionMs, 3_600_000);
      assert.equal(config.dataDir, '/tmp/kraft-combined-logs');
      assert.equal(config.segmentBytes, 1073741824);
      await new Promise((resolve) => setImmediate(resolve));
      const ignored = warnings
        .map((w) => /unknown setting "(.*)"/.exec(w)?.[1])
        .filter((k) => k !== undefined);
      assert.ok(ignored.includes('process.roles') && ignored.includes('num.io.threads'), ignored.join());
      assert.ok(!ignored.includes('log.retention.hours'), 'retention hours are understood');
    } finally {
      process.off('warning', onWarning);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps listener names to protocols and keeps the most precise retention unit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-server-properties-'));
    try {
      const file = join(dir, 'server.properties');
      writeFileSync(
        file,
        [
          'listeners=INTERNAL://127.0.0.1:0,CONTROLLER://:9093',
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
          'log.retention.hours=1',
          'log.retention.minutes=5',
          '',
        ].join('\n'),
      );
      const config = loadConfig({}, {}, file);
      assert.equal(config.listeners, 'SASL_PLAINTEXT://127.0.0.1:0');
      assert.equal(config.retentionMs, 300_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
