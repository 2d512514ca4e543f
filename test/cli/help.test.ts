/** Every command has --help with usage, options and examples; `samsa --help` lists every command. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../src/cli/command.ts';
import { PLATFORM_COMMANDS } from '../../src/cli/commands/index.ts';
import { SERVICE_COMMANDS } from '../../src/cli/main.ts';
import { samsa } from './run-cli.ts';

const EXPECTED = [
  'info',
  'topics',
  'topics:create',
  'topics:info',
  'topics:write',
  'topics:tail',
  'topics:retention-time',
  'topics:compaction',
  'topics:partitions',
  'topics:config',
  'topics:destroy',
  'consumer-groups',
  'consumer-groups:info',
  'consumer-groups:reset-offsets',
  'consumer-groups:destroy',
  'acls',
  'acls:create',
  'acls:destroy',
  'users',
  'users:create',
  'users:destroy',
  'quotas',
  'quotas:set',
  'quotas:remove',
  'connect',
  'connectors',
  'connectors:create',
  'connectors:info',
  'connectors:pause',
  'connectors:resume',
  'connectors:restart',
  'connectors:destroy',
  'connectors:offsets',
  'log:verify',
  'proxy',
  'console',
  'registry',
  'dlt:replay',
  'archive:ls',
  'archive:replay',
  'demo',
];

test('every platform command is registered', () => {
  assert.deepEqual(Object.keys(PLATFORM_COMMANDS), EXPECTED);
});

test('the services main.ts imports alone are the same commands as in the index', async () => {
  for (const [name, load] of Object.entries(SERVICE_COMMANDS)) {
    assert.equal(await load(), PLATFORM_COMMANDS[name], name);
  }
});

test('every command explains itself with options and runnable-looking examples', () => {
  for (const [name, command] of Object.entries(PLATFORM_COMMANDS)) {
    const text = helpText(command.spec);
    assert.match(text, new RegExp(`^Usage: samsa ${name}( |$)`), name);
    if (command.spec.offline) assert.doesNotMatch(text, /--bootstrap/, `${name} works offline`);
    else assert.match(text, /\n {2}-b, --bootstrap HOST:PORT/, `${name} shows connection options`);
    assert.match(text, /\n\s+--json\s/, `${name} has --json`);
    const examples = text.slice(text.indexOf('Examples:')).split('\n').slice(1);
    assert.ok(examples.length > 0, `${name} has examples`);
    for (const example of examples)
      assert.ok(example.includes(`samsa ${name}`), `${name} example: ${example}`);
  }
});

test('--help through the executable exits 0; the command list names every command', async () => {
  const help = await samsa(['topics:tail', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--from-beginning/);
  assert.match(help.stdout, /Examples:\n {2}samsa topics:tail orders/);
  const list = await samsa(['--help']);
  assert.equal(list.code, 0);
  for (const name of EXPECTED) assert.match(list.stdout, new RegExp(`\\n {2}${name} `));
});
