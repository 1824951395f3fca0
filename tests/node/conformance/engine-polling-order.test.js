'use strict';
// Engine.IO v4 long-polling when one session's requests race on two TCP connections, as the
// official protocol test suite sends them ("forcefully closes the session"): a GET and a POST
// carrying the close packet written in the same tick. The GET must be released with a noop and
// only a later GET refused, whichever shard thread reads its connection first. The server runs
// several I/O shards so the two connections always land on different ones; the race is run many
// times because a single run passes by luck often enough.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const h = require('../lib/engine-helpers');

const BIN = process.env.ENGINE_ECHO_BIN;
const ROUNDS = 30;
let server;

before(async () => {
  // Long heartbeat: nothing but the requests of the test touches the sessions.
  server = await h.startServer(BIN, { IO_THREADS: '2', PING_INTERVAL_MS: '20000', PING_TIMEOUT_MS: '20000' });
});
after(async () => { await server?.stop(); });

// A kept-alive connection, opened before the race so that both requests can be written at once.
function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

// Writes one HTTP/1.1 request on `socket` and resolves with { status, body } of its answer
// (Content-Length framed: every engine answer has one).
function exchange(socket, head, body = '', timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms to ${head.split('\r\n')[0]}`)), timeoutMs);
    const onData = (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = data.subarray(0, end).toString('latin1');
      const length = Number((/\r\ncontent-length:\s*(\d+)/i.exec(headers) || [])[1] || 0);
      if (data.length < end + 4 + length) return;
      done(null, { status: Number(headers.split(' ')[1]), body: data.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    const onClose = () => done(new Error(`connection closed before the answer to ${head.split('\r\n')[0]}`));
    function done(err, value) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err); else resolve(value);
    }
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(head + body);
  });
}

function requestHead(method, sid, body = '') {
  const lines = [`${method} /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  if (method === 'POST') lines.push('Content-Type: text/plain;charset=UTF-8', `Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

// One round: a fresh session, then its GET and its close POST written in the same tick (GET first,
// as an engine.io client closing with its poll out), then a later GET. Returns what differed.
async function race(round, send) {
  const { sid } = await h.handshake(server);
  const [get, postRes] = await send(sid);
  const later = await h.poll(server, sid);
  const seen = { get: [get.status, get.body], post: [postRes.status, postRes.body], later: later.status };
  const expected = { get: [200, '6'], post: [200, 'ok'], later: 400 };
  return JSON.stringify(seen) === JSON.stringify(expected) ? null : { round, ...seen };
}

async function rounds(t, what, send) {
  const failures = [];
  for (let round = 0; round < ROUNDS; round++) {
    const failure = await race(round, send);
    if (failure) failures.push(failure);
  }
  t.diagnostic(`${what}: race lost in ${failures.length} of ${ROUNDS} rounds`);
  assert.deepEqual(failures, [], `answers that depended on which connection was read first (${failures.length} of ${ROUNDS} rounds)`);
}

test(`GET and close POST on two new connections at once (the protocol suite's way): noop for the GET, 400 only for a later GET (${ROUNDS} rounds)`, async (t) => {
  await rounds(t, 'new connections', (sid) => Promise.all([h.poll(server, sid), h.post(server, sid, '1')]));
});

test(`GET and close POST on two kept-alive connections at once: noop for the GET, 400 only for a later GET (${ROUNDS} rounds)`, async (t) => {
  await rounds(t, 'kept-alive connections', async (sid) => {
    const [getConn, postConn] = await Promise.all([connect(server.port), connect(server.port)]);
    try {
      await h.sleep(5);  // both connections accepted and waiting in their shards' reads
      return await Promise.all([exchange(getConn, requestHead('GET', sid)), exchange(postConn, requestHead('POST', sid, '1'), '1')]);
    } finally {
      getConn.destroy();
      postConn.destroy();
    }
  });
});

test('a close POST alone is answered ok and the session is gone for the next GET', async () => {
  const { sid } = await h.handshake(server);
  const res = await h.post(server, sid, '1');
  assert.deepEqual([res.status, res.body], [200, 'ok']);
  const next = await h.poll(server, sid);
  assert.equal(next.status, 400);
  assert.deepEqual(JSON.parse(next.body), { code: 1, message: 'Session ID unknown' });
});
