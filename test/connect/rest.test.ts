/**
 * The REST API driven by plain HTTP as Kafka Connect's docs call it (paths, bodies, status codes,
 * `{error_code, message}`), and by the `samsa connectors:*` CLI, against one worker on a test
 * broker; plus the bad inputs: invalid JSON, unknown connector class, missing required property
 * (400 with Kafka Connect's validation format).
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { json, samsa, samsaInProcess } from '../cli/run-cli.ts';
import { allRunning, type ConnectorStatus, startConnect, type TestConnect } from '../helpers/connect.ts';

let broker: TestBroker;
let connect: TestConnect;
const dir = mkdtempSync(join(tmpdir(), 'samsa-connect-rest-'));
const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

before(async () => {
  broker = await startBroker();
  connect = await startConnect({ bootstrap: broker.bootstrap });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

async function raw(method: string, path: string, body: string, contentType = 'application/json') {
  const r = await fetch(`${connect.restUrl}${path}`, {
    method,
    headers: { 'content-type': contentType },
    body,
  });
  return { status: r.status, body: (await r.json()) as { error_code: number; message: string } };
}

test('GET / and GET /connector-plugins', async () => {
  const root = await connect.call<{ version: string; commit: string; kafka_cluster_id: string }>('GET', '/');
  assert.equal(root.status, 200);
  assert.equal(typeof root.body.version, 'string');
  assert.ok(root.body.kafka_cluster_id.length > 0);
  const plugins = await connect.call<{ class: string; type: string }[]>('GET', '/connector-plugins');
  assert.deepEqual(
    plugins.body
      .filter((p) => p.class.startsWith('org.apache.kafka.connect.file'))
      .map((p) => [p.class, p.type]),
    [
      [SINK, 'sink'],
      [SOURCE, 'source'],
    ],
  );
  const all = await connect.call<{ class: string; type: string }[]>(
    'GET',
    '/connector-plugins?connectorsOnly=false',
  );
  assert.ok(
    all.body.some(
      (p) =>
        p.class === 'org.apache.kafka.connect.transforms.InsertField$Value' && p.type === 'transformation',
    ),
  );
  assert.ok(
    all.body.some((p) => p.class === 'org.apache.kafka.connect.json.JsonConverter' && p.type === 'converter'),
  );
});

test('connector lifecycle over plain HTTP', async () => {
  const input = join(dir, 'lifecycle.txt');
  writeFileSync(input, 'a\nb\n');
  const config = { 'connector.class': SOURCE, file: input, topic: 'rest-lines', 'tasks.max': '1' };

  const created = await connect.call<{
    name: string;
    config: Record<string, string>;
    tasks: unknown[];
    type: string;
  }>('POST', '/connectors', { name: 'life', config });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, {
    name: 'life',
    config: { ...config, name: 'life' },
    tasks: [],
    type: 'source',
  });
  const duplicate = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
    name: 'life',
    config,
  });
  assert.deepEqual(duplicate, {
    status: 409,
    body: { error_code: 409, message: 'Connector life already exists' },
  });

  await connect.waitForStatus('life', allRunning());
  assert.deepEqual((await connect.call('GET', '/connectors')).body, ['life']);
  const expanded = await connect.call<Record<string, { status: ConnectorStatus; info: { type: string } }>>(
    'GET',
    '/connectors?expand=status&expand=info',
  );
  assert.equal(expanded.body.life?.status.connector.state, 'RUNNING');
  assert.equal(expanded.body.life?.info.type, 'source');
  assert.deepEqual(
    Object.keys(
      (await connect.call<Record<string, object>>('GET', '/connectors?expand=status')).body.life ?? {},
    ),
    ['status'],
  );

  assert.deepEqual((await connect.call('GET', '/connectors/life/config')).body, { ...config, name: 'life' });
  const tasks = await connect.call<
    { id: { connector: string; task: number }; config: Record<string, string> }[]
  >('GET', '/connectors/life/tasks');
  assert.deepEqual(
    tasks.body.map((t) => t.id),
    [{ connector: 'life', task: 0 }],
  );
  assert.equal(tasks.body[0]?.config.file, input);
  const taskStatus = await connect.call<{ id: number; state: string; worker_id: string }>(
    'GET',
    '/connectors/life/tasks/0/status',
  );
  assert.deepEqual(taskStatus.body, { id: 0, state: 'RUNNING', worker_id: connect.workerId });
  assert.equal((await connect.call('GET', '/connectors/life/tasks/5/status')).status, 404);

  // Topics used (KIP-558) once the first record went out.
  const deadline = Date.now() + 10_000;
  let topics: unknown = null;
  while (Date.now() < deadline) {
    topics = (await connect.call('GET', '/connectors/life/topics')).body;
    if (JSON.stringify(topics).includes('rest-lines')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(topics, { life: { topics: ['rest-lines'] } });

  // Pause / resume.
  assert.equal((await connect.call('PUT', '/connectors/life/pause')).status, 202);
  await connect.waitForStatus(
    'life',
    (s) => s.connector.state === 'PAUSED' && s.tasks.every((t) => t.state === 'PAUSED'),
  );
  assert.equal((await connect.call('PUT', '/connectors/life/resume')).status, 202);
  await connect.waitForStatus('life', allRunning());

  // Restart: plain (204) and with tasks (202 + the plan).
  assert.equal((await connect.call('POST', '/connectors/life/restart')).status, 204);
  const plan = await connect.call<ConnectorStatus>(
    'POST',
    '/connectors/life/restart?includeTasks=true&onlyFailed=false',
  );
  assert.equal(plan.status, 202);
  assert.equal(plan.body.connector.state, 'RESTARTING');
  assert.deepEqual(
    plan.body.tasks.map((t) => t.state),
    ['RESTARTING'],
  );
  await connect.waitForStatus('life', allRunning());
  assert.equal((await connect.call('POST', '/connectors/life/tasks/0/restart')).status, 204);
  await connect.waitForStatus('life', allRunning());

  // Offsets (KIP-875): readable while running, changeable only when stopped.
  const offsetDeadline = Date.now() + 10_000;
  let offsets: { offsets: { partition: unknown; offset: { position: number } }[] } = { offsets: [] };
  while (Date.now() < offsetDeadline && offsets.offsets[0]?.offset.position !== 4) {
    offsets = (await connect.call<typeof offsets>('GET', '/connectors/life/offsets')).body;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(offsets, { offsets: [{ partition: { filename: input }, offset: { position: 4 } }] });
  const notStopped = await connect.call<{ error_code: number; message: string }>(
    'DELETE',
    '/connectors/life/offsets',
  );
  assert.equal(notStopped.status, 400);
  assert.match(notStopped.body.message, /must be in the STOPPED state/);
  assert.equal((await connect.call('PUT', '/connectors/life/stop')).status, 204);
  const stopped = await connect.waitForStatus('life', (s) => s.connector.state === 'STOPPED');
  assert.deepEqual(stopped.tasks, []);
  const patched = await connect.call('PATCH', '/connectors/life/offsets', {
    offsets: [{ partition: { filename: input }, offset: { position: 2 } }],
  });
  assert.deepEqual(patched, {
    status: 200,
    body: { message: 'The offsets for this connector have been altered successfully' },
  });
  assert.deepEqual((await connect.call('GET', '/connectors/life/offsets')).body, {
    offsets: [{ partition: { filename: input }, offset: { position: 2 } }],
  });
  const reset = await connect.call('DELETE', '/connectors/life/offsets');
  assert.deepEqual(reset, {
    status: 200,
    body: { message: 'The offsets for this connector have been reset successfully' },
  });
  assert.deepEqual((await connect.call('GET', '/connectors/life/offsets')).body, { offsets: [] });
  assert.equal((await connect.call('PUT', '/connectors/life/resume')).status, 202);
  await connect.waitForStatus('life', allRunning());

  // PUT config updates (200) or creates (201).
  const updated = await connect.call<{ config: Record<string, string> }>('PUT', '/connectors/life/config', {
    ...config,
    'batch.size': '10',
  });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.config['batch.size'], '10');
  const putCreated = await connect.call('PUT', '/connectors/life2/config', {
    ...config,
    file: join(dir, 'other.txt'),
  });
  assert.equal(putCreated.status, 201);

  assert.equal((await connect.call('DELETE', '/connectors/life2')).status, 204);
  assert.equal((await connect.call('DELETE', '/connectors/life')).status, 204);
  assert.deepEqual(await connect.call('GET', '/connectors/life'), {
    status: 404,
    body: { error_code: 404, message: 'Connector life not found' },
  });
  assert.deepEqual((await connect.call('GET', '/connectors')).body, []);
});

test("bad requests get Kafka Connect's status codes and bodies", async () => {
  const invalid = await raw('POST', '/connectors', '{"name": "x", "config": {');
  assert.equal(invalid.status, 500);
  assert.equal(invalid.body.error_code, 500);
  assert.match(invalid.body.message, /JSON/);

  const unknown = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
    name: 'u',
    config: { 'connector.class': 'com.example.NoSuchConnector' },
  });
  assert.equal(unknown.status, 500);
  assert.match(
    unknown.body.message,
    /^Failed to find any class that implements Connector and which name matches com.example.NoSuchConnector, available connectors are: /,
  );

  const missing = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
    name: 'm',
    config: { 'connector.class': SOURCE, topic: 't' },
  });
  assert.deepEqual(missing, {
    status: 400,
    body: {
      error_code: 400,
      message:
        'Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration "file" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    },
  });

  const noClass = await connect.call<{ error_code: number; message: string }>('POST', '/connectors', {
    name: 'n',
    config: { topic: 't' },
  });
  assert.equal(noClass.status, 400);
  assert.match(noClass.body.message, /contains no connector type/);

  const mismatch = await connect.call<{ error_code: number; message: string }>(
    'PUT',
    '/connectors/a/config',
    { 'connector.class': SOURCE, name: 'b' },
  );
  assert.equal(mismatch.status, 400);
  assert.equal(
    mismatch.body.message,
    "Connector name configuration (b) doesn't match connector name in the URL (a)",
  );

  const noTopics = await connect.call<{ message: string }>('POST', '/connectors', {
    name: 's',
    config: { 'connector.class': SINK, file: '/tmp/x' },
  });
  assert.equal(noTopics.status, 400);
  assert.match(noTopics.body.message, /Must configure one of topics or topics.regex/);

  const badTransform = await connect.call<{ message: string }>('POST', '/connectors', {
    name: 't',
    config: {
      'connector.class': SOURCE,
      file: '/tmp/x',
      topic: 't',
      transforms: 'x',
      'transforms.x.type': 'com.example.Nope',
    },
  });
  assert.equal(badTransform.status, 400);
  assert.match(badTransform.body.message, /Class com.example.Nope could not be found/);

  assert.deepEqual(await connect.call('GET', '/nope'), {
    status: 404,
    body: { error_code: 404, message: 'HTTP 404 Not Found' },
  });
  assert.deepEqual((await connect.call('GET', '/connectors')).body, [], 'nothing was created');
});

test("config/validate answers Kafka Connect's ConfigInfos", async () => {
  const r = await connect.call<{
    name: string;
    error_count: number;
    groups: string[];
    configs: {
      definition: Record<string, unknown>;
      value: {
        name: string;
        value: string | null;
        errors: string[];
        recommended_values: string[];
        visible: boolean;
      };
    }[];
  }>('PUT', '/connector-plugins/FileStreamSourceConnector/config/validate', {
    'connector.class': SOURCE,
    name: 'v',
    topic: 't',
    'tasks.max': 'x',
    'errors.tolerance': 'some',
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.name, SOURCE);
  assert.equal(r.body.error_count, 3);
  assert.ok(r.body.groups.includes('Common'));
  const byName = new Map(r.body.configs.map((c) => [c.value.name, c]));
  assert.deepEqual(byName.get('file')?.value, {
    name: 'file',
    value: null,
    recommended_values: [],
    errors: ['Missing required configuration "file" which has no default value.'],
    visible: true,
  });
  assert.deepEqual(byName.get('tasks.max')?.value.errors, [
    'Invalid value x for configuration tasks.max: Not a number of type INT',
  ]);
  assert.deepEqual(byName.get('errors.tolerance')?.value.errors, [
    'Invalid value some for configuration errors.tolerance: String must be one of: none, all',
  ]);
  const def = byName.get('name')?.definition;
  assert.deepEqual(Object.keys(def ?? {}).sort(), [
    'default_value',
    'dependents',
    'display_name',
    'documentation',
    'group',
    'importance',
    'name',
    'order',
    'required',
    'type',
    'width',
  ]);
  assert.equal(def?.required, true);
  assert.equal(def?.type, 'STRING');
});

test('the samsa connectors:* CLI drives the same API', async () => {
  const url = connect.restUrl;
  // `--config -` reads stdin (fd 0) synchronously: that call goes through the real executable.
  const cli = (args: string[], input?: string) =>
    input === undefined
      ? samsaInProcess([...args, '--connect-url', url, '--bootstrap', broker.bootstrap])
      : samsa([...args, '--connect-url', url, '--bootstrap', broker.bootstrap], { input });
  const input = join(dir, 'cli.txt');
  const output = join(dir, 'cli-out.txt');
  writeFileSync(input, 'x\ny\n');
  const file = join(dir, 'cli-source.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'cli-src',
      config: { 'connector.class': SOURCE, file: input, topic: 'cli-lines' },
    }),
  );
  const created = await cli(['connectors:create', '--config', file]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Created connector cli-src \(source\)/);
  const sinkCreated = await cli(
    ['connectors:create', '--config', '-'],
    `name=cli-sink\nconnector.class=${SINK}\nfile=${output}\ntopics=cli-lines\n`,
  );
  assert.equal(sinkCreated.code, 0, sinkCreated.stderr);
  await connect.waitForStatus('cli-src', allRunning());
  await connect.waitForStatus('cli-sink', allRunning());

  const list = json<{ name: string; state: string; type: string }[]>(await cli(['connectors', '--json']));
  assert.deepEqual(
    list.map((c) => [c.name, c.type, c.state]),
    [
      ['cli-sink', 'sink', 'RUNNING'],
      ['cli-src', 'source', 'RUNNING'],
    ],
  );
  const table = await cli(['connectors']);
  assert.match(table.stdout, /cli-src\s+source\s+RUNNING\s+1\/1 running/);

  // The sink's lag reaches 0 once all three lines are in the topic, written and committed (a lag
  // of 0 at an end offset of 2 is the moment before the source has read the third line).
  appendFileSync(input, 'z\n');
  const deadline = Date.now() + 20_000;
  let info: {
    connector: { state: string };
    tasks: unknown[];
    totalLag: number | null;
    lag: { lag: number; logEndOffset: number }[] | null;
  } | null = null;
  while (Date.now() < deadline) {
    info = json(await cli(['connectors:info', 'cli-sink', '--json']));
    const ends = (info?.lag ?? []).reduce((n, l) => n + Number(l.logEndOffset), 0);
    if (info?.lag?.length && info.totalLag === 0 && ends === 3) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(info?.connector.state, 'RUNNING');
  assert.equal(info?.totalLag, 0);
  assert.ok((info?.lag ?? []).length > 0);

  assert.match((await cli(['connectors:pause', 'cli-src'])).stdout, /Paused connector cli-src/);
  await connect.waitForStatus('cli-src', (s) => s.connector.state === 'PAUSED');
  assert.match((await cli(['connectors:resume', 'cli-src'])).stdout, /Resumed connector cli-src/);
  await connect.waitForStatus('cli-src', allRunning());
  assert.equal((await cli(['connectors:restart', 'cli-src', '--include-tasks'])).code, 0);
  await connect.waitForStatus('cli-src', allRunning());

  const sinkOffsets = json<{
    offsets: { partition: { kafka_topic: string }; offset: { kafka_offset: number } }[];
  }>(await cli(['connectors:offsets', 'cli-sink', '--json']));
  assert.ok(sinkOffsets.offsets.every((o) => o.partition.kafka_topic === 'cli-lines'));
  assert.equal(
    sinkOffsets.offsets.reduce((n, o) => n + o.offset.kafka_offset, 0),
    3,
  );

  const missing = await cli(['connectors:info', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Connector nope not found/);
  const refused = await cli(['connectors:destroy', 'cli-src']);
  assert.equal(refused.code, 2);
  assert.equal((await cli(['connectors:destroy', 'cli-src', '--confirm', 'cli-src'])).code, 0);
  assert.equal((await cli(['connectors:destroy', 'cli-sink', '--confirm', 'cli-sink'])).code, 0);
  assert.deepEqual(json(await cli(['connectors', '--json'])), []);
  const unreachable = await samsaInProcess(['connectors', '--connect-url', 'http://127.0.0.1:1']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach Kafka Connect at http:\/\/127.0.0.1:1/);
});
