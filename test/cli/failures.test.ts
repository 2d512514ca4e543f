/**
 * Failures of the CLI (its `main()` in this process; an unknown command also through the real
 * executable): each names the problem (the Kafka error name for broker
 * answers, plus a hint) and exits 1 for failures, 2 for usage errors.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { type CliResult, samsa, samsaInProcess } from './run-cli.ts';

let broker: TestBroker;
let run: (...args: string[]) => Promise<CliResult>;
before(async () => {
  broker = await startBroker();
  run = (...args) => samsaInProcess([...args, '-b', broker.bootstrap]);
});
after(async () => {
  await broker?.stop();
});

function fails(result: CliResult, code: 1 | 2, ...patterns: RegExp[]): void {
  assert.equal(result.code, code, `expected exit ${code}, got ${result.code}\nstderr: ${result.stderr}`);
  for (const p of patterns) assert.match(result.stderr, p);
}

test('creating an existing topic: TOPIC_ALREADY_EXISTS with a hint, exit 1', async () => {
  assert.equal((await run('topics:create', 'taken')).code, 0);
  fails(
    await run('topics:create', 'taken'),
    1,
    /TOPIC_ALREADY_EXISTS: Topic 'taken' already exists/,
    /^Hint: .*topics:info/m,
  );
});

test('invalid topic names: INVALID_TOPIC_EXCEPTION from the broker, or a local check for whitespace; exit 1', async () => {
  fails(await run('topics:create', 'bad!name'), 1, /INVALID_TOPIC_EXCEPTION/, /^Hint: topic names are/m);
  fails(
    await run('topics:create', 'bad name'),
    1,
    /invalid topic name "bad name"/,
    /^Hint: topic names are/m,
  );
});

test('unknown flags, missing and extra arguments, bad values: usage errors, exit 2', async () => {
  fails(
    await run('topics:create', 'x', '--bogus'),
    2,
    /unknown option --bogus/,
    /samsa topics:create --help/,
  );
  fails(await run('topics:create'), 2, /missing argument NAME/, /samsa topics:create --help/);
  fails(await run('topics:info', 'a', 'b'), 2, /unexpected argument "b"/);
  fails(await run('topics:create', 'x', '--partitions', 'many'), 2, /--partitions must be an integer/);
  fails(await run('topics:create', 'x', '--retention-time', 'soon'), 2, /"soon" is not a duration/);
  fails(await run('topics:tail', 'x', '--from-beginning', '--from-offset', '3'), 2, /choose one of/);
  fails(await run('consumer-groups:reset-offsets', 'g', '--topic', 'x'), 2, /--to-earliest/);
  fails(await run('topics:destroy', 'x'), 2, /--confirm x/);
  fails(await run('topics:destroy', 'x', '--confirm', 'y'), 2, /does not match/);
  fails(await samsa(['nope']), 2, /unknown command "nope"/);
});

test('bad connection settings are usage errors; an unreachable broker is a failure', async () => {
  fails(await samsaInProcess(['topics'], { env: { KAFKA_URL: 'http://x:1' } }), 2, /unsupported scheme/);
  fails(
    await samsaInProcess(['topics', '-b', '127.0.0.1:1']),
    1,
    /cannot reach the broker at 127\.0\.0\.1:1/,
    /^Hint: .*KAFKA_URL/m,
  );
});

test('unknown topics and groups name the problem', async () => {
  fails(
    await run('topics:info', 'missing'),
    1,
    /UNKNOWN_TOPIC_OR_PARTITION: topic missing does not exist/,
    /^Hint:/m,
  );
  fails(await run('topics:write', 'missing', 'x'), 1, /UNKNOWN_TOPIC_OR_PARTITION/);
  fails(await run('topics:tail', 'missing'), 1, /UNKNOWN_TOPIC_OR_PARTITION/);
  fails(await run('consumer-groups:info', 'nobody'), 1, /consumer group nobody not found/, /^Hint:/m);
});
