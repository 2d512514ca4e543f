/** `samsa demo` itself: the scenarios it finds, and precise usage errors before anything starts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoScenarios } from '../../src/cli/commands/demo.ts';
import { samsaInProcess } from '../cli/run-cli.ts';

test('the scenarios are the examples with a demo.ts', () => {
  assert.deepEqual(demoScenarios(), [
    'alerts',
    'archive-replay',
    'chatbot-logs',
    'interactions',
    'inventory-cdc',
    'multi-org',
  ]);
});

test('an unknown scenario or a bad --duration is a usage error naming the choices', async () => {
  const unknown = await samsaInProcess(['demo', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown scenario "nope"; one of: alerts, archive-replay, chatbot-logs, interactions, inventory-cdc, multi-org/,
  );
  const duration = await samsaInProcess(['demo', 'alerts', '--duration', 'soon']);
  assert.equal(duration.code, 2);
  assert.match(duration.stderr, /--duration must be a positive number of seconds, not "soon"/);
  const missing = await samsaInProcess(['demo']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing argument SCENARIO/);
});
