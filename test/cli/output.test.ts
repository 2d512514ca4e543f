import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFields, formatJson, formatJsonLine, formatTable } from '../../src/cli/output.ts';

test('tables align columns, right-align numbers and show - for missing values', () => {
  const rows = [
    { name: 'orders', partitions: 3, lag: 12n },
    { name: 'a', partitions: 12, lag: null },
  ];
  const text = formatTable(
    [
      { header: 'name', value: (r: (typeof rows)[number]) => r.name },
      { header: 'partitions', value: (r) => r.partitions, right: true },
      { header: 'lag', value: (r) => r.lag, right: true },
    ],
    rows,
  );
  assert.equal(
    text,
    ['NAME    PARTITIONS  LAG', 'orders           3   12', 'a               12    -'].join('\n'),
  );
  assert.equal(formatTable([{ header: 'x', value: () => 1 }], [], 'nothing'), 'nothing');
});

test('fields align their values', () => {
  assert.equal(
    formatFields([
      ['Name', 'orders'],
      ['Partitions', 3],
      ['ID', undefined],
    ]),
    'Name:        orders\nPartitions:  3\nID:          -',
  );
});

test('JSON turns bigints into numbers when exact, strings otherwise, and Maps into objects', () => {
  assert.equal(
    formatJsonLine({ offset: 42n, big: 2n ** 60n, m: new Map([['a', 1]]) }),
    '{"offset":42,"big":"1152921504606846976","m":{"a":1}}',
  );
  assert.equal(formatJson({ a: 1 }), '{\n  "a": 1\n}');
});
