/**
 * KafkaSocket (the lean Produce connection) against a scripted server: frames split across reads
 * (byte by byte) and several frames in one read are answered in order with the request header it
 * wrote; a frame given as chunks arrives whole; a wrong correlation id, a request left unanswered past its timeout and a refused or dropped
 * connection fail every request in flight and leave the connection closed.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { KafkaSocket, KafkaSocketError } from '../../src/client/kafka-socket.ts';

interface Received {
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string;
  body: Buffer;
}

/** A server that hands each request it reads to `onRequest` with its socket. */
async function scripted(
  onRequest: (req: Received, socket: Socket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const idLength = frame.readInt16BE(8);
        onRequest(
          {
            apiKey: frame.readInt16BE(0),
            version: frame.readInt16BE(2),
            correlationId: frame.readInt32BE(4),
            clientId: frame.toString('utf8', 10, 10 + idLength),
            body: frame.subarray(10 + idLength + 1),
          },
          socket,
        );
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** A response frame: size, correlation id, empty tagged fields (header v1), body. */
function response(correlationId: number, body: Buffer): Buffer {
  const frame = Buffer.alloc(4 + 4 + 1 + body.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt32BE(correlationId, 4);
  body.copy(frame, 9);
  return frame;
}

function frameFor(socket: KafkaSocket, body: string): Buffer {
  const frame = Buffer.alloc(socket.headerBytes + body.length);
  frame.write(body, socket.headerBytes);
  return frame;
}

function send(socket: KafkaSocket, body: string): Promise<string> {
  return new Promise((resolve, reject) =>
    socket.send(0, 9, frameFor(socket, body), (err, answer) =>
      err === null ? resolve(answer!.toString()) : reject(err),
    ),
  );
}

test('answers split byte by byte, and several in one read, come back in order with the right header', async () => {
  const seen: Received[] = [];
  const queued: Buffer[] = [];
  const { server, port } = await scripted((req, socket) => {
    seen.push(req);
    queued.push(response(req.correlationId, Buffer.from(`re:${req.body.toString()}`)));
    if (seen.length === 2) {
      // The first two answers one byte per write, the next three in a single write.
      const bytes = Buffer.concat(queued.splice(0));
      for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
    } else if (seen.length === 5) {
      socket.write(Buffer.concat(queued.splice(0)));
    }
  });
  const socket = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'tester' });
  try {
    const answers = await Promise.all(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((b) => send(socket, b)));
    assert.deepEqual(answers, ['re:a', 're:bb', 're:ccc', 're:dddd', 're:eeeee']);
    assert.deepEqual(
      seen.map((r) => [r.apiKey, r.version, r.correlationId, r.clientId, r.body.toString()]),
      [
        [0, 9, 1, 'tester', 'a'],
        [0, 9, 2, 'tester', 'bb'],
        [0, 9, 3, 'tester', 'ccc'],
        [0, 9, 4, 'tester', 'dddd'],
        [0, 9, 5, 'tester', 'eeeee'],
      ],
    );
    assert.equal(socket.inflight, 0);
    assert.equal(socket.closed, false);
  } finally {
    socket.close();
    server.close();
  }
});

test('a frame given as chunks arrives as one request, between whole-buffer frames', async () => {
  const seen: Received[] = [];
  const { server, port } = await scripted((req, socket) => {
    seen.push(req);
    socket.write(response(req.correlationId, Buffer.from(`re:${req.body.length}`)));
  });
  const socket = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'tester' });
  try {
    const big = Buffer.alloc(200_000, 0x61);
    const one = send(socket, 'one');
    const chunked = new Promise<string>((resolve, reject) =>
      socket.send(0, 9, [frameFor(socket, 'head:'), big, Buffer.from(':tail')], (err, answer) =>
        err === null ? resolve(answer!.toString()) : reject(err),
      ),
    );
    const answers = await Promise.all([one, chunked, send(socket, 'three')]);
    assert.deepEqual(answers, ['re:3', `re:${5 + big.length + 5}`, 're:5']);
    assert.deepEqual(
      seen.map((r) => [r.correlationId, r.clientId, r.body.length]),
      [
        [1, 'tester', 3],
        [2, 'tester', 5 + big.length + 5],
        [3, 'tester', 5],
      ],
    );
    const body = seen[1]!.body;
    assert.equal(body.toString('latin1', 0, 5), 'head:');
    assert.ok(body.subarray(5, 5 + big.length).equals(big));
    assert.equal(body.toString('latin1', 5 + big.length), ':tail');
  } finally {
    socket.close();
    server.close();
  }
});

test('a wrong correlation id fails every request in flight and closes the connection', async () => {
  let n = 0;
  const { server, port } = await scripted((req, s) => {
    if (++n === 2) s.write(response(req.correlationId + 100, Buffer.from('x')));
  });
  const socket = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'c' });
  try {
    const results = await Promise.allSettled([send(socket, 'one'), send(socket, 'two')]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof KafkaSocketError);
      assert.match(r.reason.message, /unexpected response .* correlation id 102, expected 1/);
    }
    assert.equal(socket.closed, true);
    await assert.rejects(send(socket, 'three'), KafkaSocketError);
  } finally {
    server.close();
  }
});

test('a response header cut short (no tagged fields, or a tag longer than the frame) fails the connection, not the loop', async () => {
  for (const header of [Buffer.alloc(0), Buffer.from([1, 0, 50])]) {
    const { server, port } = await scripted((req, s) => {
      // size, correlation id, then the broken header bytes and nothing else
      const frame = Buffer.alloc(8 + header.length);
      frame.writeInt32BE(frame.length - 4, 0);
      frame.writeInt32BE(req.correlationId, 4);
      header.copy(frame, 8);
      s.write(frame);
    });
    const socket = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'c' });
    try {
      await assert.rejects(send(socket, 'one'), (err: Error) => {
        assert.ok(err instanceof KafkaSocketError);
        assert.match(err.message, /malformed response .*: truncated response header/);
        return true;
      });
      assert.equal(socket.closed, true);
    } finally {
      server.close();
    }
  }
});

test('a request not answered within requestTimeoutMs fails the connection', async () => {
  const { server, port } = await scripted(() => {});
  const socket = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'c', requestTimeoutMs: 200 });
  try {
    await assert.rejects(send(socket, 'silence'), /not answered within 200 ms/);
    assert.equal(socket.closed, true);
  } finally {
    server.close();
  }
});

test('a refused connection and a connection the server drops fail what is in flight', async () => {
  const { server, port } = await scripted((_req, s) => s.destroy());
  const dropped = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'c' });
  await assert.rejects(send(dropped, 'x'), (err: Error) => {
    assert.ok(err instanceof KafkaSocketError);
    assert.match(err.message, new RegExp(`127.0.0.1:${port}`));
    return true;
  });
  assert.equal(dropped.closed, true);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const refused = new KafkaSocket({ host: '127.0.0.1', port }, { clientId: 'c' });
  await assert.rejects(send(refused, 'x'), /ECONNREFUSED/);
  assert.equal(refused.closed, true);
});
