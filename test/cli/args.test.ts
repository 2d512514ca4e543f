/** The shared argument parser: options, values, positionals, and negative numbers as arguments. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type OptionSpec, parseArgs, UsageError } from '../../src/cli/args.ts';

const SPECS: OptionSpec[] = [
  { name: 'partitions', short: 'p', type: 'string', description: '' },
  { name: 'json', type: 'boolean', description: '' },
  { name: 'shift-by', type: 'string', description: '' },
];

test('a negative number is a positional, not an unknown option', () => {
  assert.deepEqual(parseArgs(['orders', '-1'], SPECS), { options: {}, positionals: ['orders', '-1'] });
  assert.deepEqual(parseArgs(['-2.5', '--json'], SPECS).positionals, ['-2.5']);
});

test('an option value may be negative', () => {
  assert.deepEqual(parseArgs(['--shift-by', '-100'], SPECS).options, { 'shift-by': '-100' });
});

test('unknown short options are still usage errors', () => {
  assert.throws(() => parseArgs(['-x'], SPECS), UsageError);
  assert.throws(() => parseArgs(['-1x'], SPECS), /unknown option -1x/);
});
