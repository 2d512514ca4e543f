/**
 * The built-in serdes' byte-range fast path (deserializeRange, utf8Range): short ASCII made in
 * JavaScript and everything else by utf8Slice give the same text as decoding the bytes as UTF-8,
 * for any bytes at any place in a buffer (fast-check), and the String and JSON range
 * deserializers agree with `deserialize` on a view of the same bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isRangeDeserializer, Serdes, utf8Range } from '../../src/streams/serdes.ts';

// mostly ASCII (the JavaScript path), some bytes of multi-byte and invalid sequences
const byte = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
);

test('utf8Range gives the UTF-8 decoding of any range, short ASCII or not', () => {
  fc.assert(
    fc.property(
      fc.array(byte, { maxLength: 8 }),
      fc.array(byte, { maxLength: 24 }),
      fc.array(byte, { maxLength: 8 }),
      (before, range, after) => {
        const buf = Buffer.from([...before, ...range, ...after]);
        const start = before.length;
        const end = start + range.length;
        assert.equal(utf8Range(buf, start, end), buf.toString('utf8', start, end));
      },
    ),
    { numRuns: 2000 },
  );
  const text = Buffer.from('user-1234 ünïcode key-of-12ch');
  for (let n = 0; n <= 14; n++) assert.equal(utf8Range(text, 0, n), text.toString('utf8', 0, n));
  assert.throws(() => utf8Range(Buffer.from('abc'), 1, 5), RangeError);
});

test('the String and JSON range deserializers agree with deserialize on the same bytes', () => {
  const string = Serdes.String().deserializer();
  const json = Serdes.JSON().deserializer();
  assert.ok(isRangeDeserializer(string) && isRangeDeserializer(json));
  const values = [
    '',
    'k',
    'user-1234',
    'twelve-chars',
    'thirteen-char',
    'é',
    '{"a":1}',
    '[1,"ü"]',
    '42',
    '"x"',
  ];
  for (const v of values) {
    const buf = Buffer.concat([Buffer.from('#'), Buffer.from(v), Buffer.from('#')]);
    const end = buf.length - 1;
    assert.equal(string.deserializeRange('t', buf, 1, end), string.deserialize('t', buf.subarray(1, end)));
    let expected: unknown;
    try {
      expected = json.deserialize('t', buf.subarray(1, end));
    } catch (err) {
      assert.throws(() => json.deserializeRange('t', buf, 1, end), { name: (err as Error).name });
      continue;
    }
    assert.deepEqual(json.deserializeRange('t', buf, 1, end), expected);
  }
  assert.equal(string.deserializeRange('t', Buffer.from('ab'), 2, 1), null, 'start > end: null');
});
