import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  UnsupportedApiError,
  UserError,
} from '@platformatic/kafka';
import { CliError, describeError, kafkaErrorNames } from '../../src/cli/errors.ts';
import { namePrefix } from '../../src/client/prefix.ts';

const none = namePrefix(undefined);

test('a broker error deep in retries surfaces with its Kafka name, message and a hint', () => {
  const response = new ResponseError(19, 7, { '/topics/0': [36, "Topic 'p.orders' already exists."] }, {});
  const err = new MultipleErrors('Creating topics failed.', [response]);
  assert.deepEqual(kafkaErrorNames(err), ['TOPIC_ALREADY_EXISTS']);
  const report = describeError(err, namePrefix('p.'), ['b:9092']);
  assert.equal(report.message, "TOPIC_ALREADY_EXISTS: Topic 'orders' already exists.");
  assert.match(report.hint ?? '', /topics:info/);
});

test('an error without a broker message still names the Kafka error', () => {
  const report = describeError(new ProtocolError('INVALID_TOPIC_EXCEPTION'), none, []);
  assert.equal(report.message, 'INVALID_TOPIC_EXCEPTION');
  assert.match(report.hint ?? '', /letters, digits/);
});

test('unreachable broker, unsupported API and our own errors', () => {
  const network = new MultipleErrors('Cannot connect to any broker.', [
    new NetworkError('Connection to 127.0.0.1:1 failed.', { cause: new Error('connect ECONNREFUSED') }),
  ]);
  const report = describeError(network, none, ['127.0.0.1:1']);
  assert.match(report.message, /cannot reach the broker at 127\.0\.0\.1:1.*ECONNREFUSED/);
  assert.match(report.hint ?? '', /KAFKA_URL/);
  assert.match(
    describeError(new UnsupportedApiError('Unsupported API CreatePartitions.'), none, []).message,
    /^UNSUPPORTED_VERSION: .*CreatePartitions/,
  );
  assert.deepEqual(describeError(new CliError('no such thing', 'try this'), none, []), {
    message: 'no such thing',
    hint: 'try this',
  });
  assert.deepEqual(describeError(new Error('boom'), none, []), { message: 'boom' });
});

test("the client library's unknown-topic error is reported as UNKNOWN_TOPIC_OR_PARTITION", () => {
  const report = describeError(new UserError('Unknown topic p.orders.'), namePrefix('p.'), []);
  assert.equal(report.message, 'UNKNOWN_TOPIC_OR_PARTITION: topic orders does not exist');
  assert.match(report.hint ?? '', /samsa topics/);
});
