/**
 * BrokerLoggers: module loggers follow root until set on their own, and a level change reaches the
 * loggers already made from a module logger (one per connection), as they log.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import pino from 'pino';
import { BrokerLoggers } from '../../src/broker/loggers.ts';

it('changes the level of a module and of the per-connection loggers made from it', () => {
  const lines: { msg: string; logger?: string; conn?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const loggers = new BrokerLoggers(pino({ level: 'warn' }, sink));
  const conn = loggers.get('samsa.network').child({ conn: 7 });
  conn.debug('before');
  loggers.set('samsa.network', 'DEBUG');
  conn.debug('after');
  loggers.get('samsa.log').debug('other module');
  assert.deepEqual(
    lines.map((l) => [l.msg, l.logger, l.conn]),
    [['after', 'samsa.network', 7]],
  );
  loggers.set('root', 'ERROR');
  assert.equal(loggers.level('samsa.log'), 'ERROR');
  assert.equal(loggers.level('samsa.network'), 'DEBUG', 'set on its own');
  loggers.reset('samsa.network');
  assert.equal(conn.level, 'error', 'the connection logger follows again');
  assert.throws(() => loggers.set('samsa.network', 'LOUD'), /unknown log level/);
});
