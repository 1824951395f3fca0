'use strict';
// Engine.IO v4 conformance over HTTP long-polling: messages, payload batching, binary, heartbeat,
// close, 413, duplicate and cancelled GETs, and the bounded send queue (slow client cut).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const h = require('../lib/engine-helpers');

const BIN = process.env.ENGINE_ECHO_BIN;
let server;

before(async () => {
  server = await h.startServer(BIN, { MAX_PAYLOAD_BYTES: '1000', MAX_BUFFERED_BYTES: '65536' });
});
after(async () => { await server?.stop(); });

// The session is gone: polling its sid is refused with 400, code 1 (Session ID unknown).
async function assertSessionGone(sid) {
  const res = await h.poll(server, sid);
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(res.body), { code: 1, message: 'Session ID unknown' });
}

test('POST is answered ok; every queued packet comes back in one GET, in order', async () => {
  const { sid } = await h.handshake(server);
  const res = await h.post(server, sid, ['4one', '4two', '4three'].join(h.SEP));
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok');
  assert.equal(res.headers['content-type'], 'text/html');
  const get = await h.poll(server, sid);
  assert.equal(get.status, 200);
  assert.equal(get.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.deepEqual(h.decodePayload(get.body), [
    { type: '4', data: 'one' }, { type: '4', data: 'two' }, { type: '4', data: 'three' },
  ]);
});

test('a waiting GET is answered as soon as a packet is queued', async () => {
  const { sid } = await h.handshake(server);
  const pending = h.poll(server, sid);
  await h.sleep(50);
  await h.post(server, sid, '4late');
  const get = await pending;
  assert.deepEqual(h.decodePayload(get.body), [{ type: '4', data: 'late' }]);
});

test('binary messages travel as b + base64, UTF-8 text intact', async () => {
  const { sid } = await h.handshake(server);
  const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
  await h.post(server, sid, `b${bytes.toString('base64')}${h.SEP}4h\u00e9llo \u20ac`);
  const packets = h.decodePayload((await h.poll(server, sid)).body);
  assert.equal(packets.length, 2);
  assert.deepEqual(packets[0].binary, bytes);
  assert.equal(packets[1].data, 'h\u00e9llo \u20ac');
});

test('heartbeat: the server pings every pingInterval, pongs keep the session alive', async () => {
  const { sid } = await h.handshake(server);
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    const get = await h.poll(server, sid);
    const packets = h.decodePayload(get.body);
    assert.deepEqual(packets, [{ type: '2', data: '' }]);
    assert.ok(Date.now() - started < 1000, 'ping within about pingInterval');
    assert.equal((await h.post(server, sid, '3')).body, 'ok');
  }
  // Still open: an echo works.
  await h.post(server, sid, '4alive');
  assert.deepEqual(h.decodePayload((await h.poll(server, sid)).body), [{ type: '4', data: 'alive' }]);
});

test('heartbeat: no pong within pingTimeout closes the session', async () => {
  const { sid } = await h.handshake(server);
  const ping = await h.poll(server, sid);
  assert.equal(ping.body, '2');
  // Do not pong. The pending GET gets the close packet once pingTimeout (200 ms) elapsed.
  const started = Date.now();
  const closing = await h.poll(server, sid);
  assert.equal(closing.body, '1');
  assert.ok(Date.now() - started < 1000);
  await assertSessionGone(sid);
});

test('close packet from the client ends the session', async () => {
  const { sid } = await h.handshake(server);
  const pending = h.poll(server, sid);
  await h.sleep(30);
  assert.equal((await h.post(server, sid, '1')).body, 'ok');
  const get = await pending;
  assert.equal(get.body, '6');  // the waiting GET is released with a noop
  await assertSessionGone(sid);
});

test('a malformed payload closes the session', async () => {
  const { sid } = await h.handshake(server);
  await h.post(server, sid, '9nonsense');
  assert.equal((await h.poll(server, sid)).status, 400);
});

test('413 for a POST over maxPayload, and the session is closed', async () => {
  const { sid } = await h.handshake(server);
  const res = await h.post(server, sid, '4' + 'x'.repeat(2000));
  assert.equal(res.status, 413);
  await assertSessionGone(sid);
});

test('a duplicate concurrent GET is refused and closes the session', async () => {
  const { sid } = await h.handshake(server);
  const first = h.poll(server, sid);
  await h.sleep(50);
  const second = await h.poll(server, sid);
  assert.equal(second.status, 400);
  const firstRes = await first;
  assert.equal(firstRes.body, '1');
  assert.equal((await h.poll(server, sid)).status, 400);
});

test('a cancelled GET closes the session', async () => {
  const { sid } = await h.handshake(server);
  const req = http.request(h.eioUrl(server, '/engine.io/', `transport=polling&sid=${sid}`), { agent: false });
  req.on('error', () => {});
  req.end();
  await h.sleep(50);
  req.destroy();
  await h.waitFor(async () => (await h.poll(server, sid)).status === 400, { what: 'session closed after a cancelled GET', timeoutMs: 2000 });
});

test('a polling client that stops reading is cut once its queue passes max_buffered_bytes', async () => {
  const slow = await h.handshake(server);
  const fast = await h.handshake(server);
  // 200 x 1000 bytes queued for a client that never polls: over the 64 KiB cap.
  assert.equal((await h.post(server, slow.sid, '4flood 200 1000')).body, 'ok');
  // The other client is unaffected.
  await h.post(server, fast.sid, '4still here');
  assert.deepEqual(h.decodePayload((await h.poll(server, fast.sid)).body), [{ type: '4', data: 'still here' }]);
  const res = await h.poll(server, slow.sid);
  assert.equal(res.status, 400);
  assert.equal(JSON.parse(res.body).code, 1);
  // Under the cap, the same burst is delivered whole in one response.
  assert.equal((await h.post(server, fast.sid, '4flood 50 1000')).body, 'ok');
  const burst = h.decodePayload((await h.poll(server, fast.sid)).body);
  assert.equal(burst.length, 50);
  assert.ok(burst.every((p) => p.type === '4' && p.data.length === 1000));
});

test('SIGTERM: a waiting GET receives the close packet and the server exits 0', async () => {
  const own = await h.startServer(BIN, { PING_INTERVAL_MS: '10000', PING_TIMEOUT_MS: '5000' });
  const { sid } = await h.handshake(own);
  const pending = h.poll(own, sid);
  await h.sleep(50);
  const exited = own.stop('SIGTERM');
  const res = await pending;
  assert.equal(res.body, '1');
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('SIGTERM: an idle polling session (no GET waiting) is closed at once, the exit does not wait for its next GET', async () => {
  // pingTimeout bounds how long an ended session keeps its close packet for the next GET; the
  // process waits up to 2 s for open sessions. An idle session must not count as open.
  const own = await h.startServer(BIN, { PING_INTERVAL_MS: '10000', PING_TIMEOUT_MS: '10000' });
  const { sid } = await h.handshake(own);
  assert.ok(sid);
  const start = Date.now();
  const result = await own.stop('SIGTERM');
  const tookMs = Date.now() - start;
  assert.deepEqual(result, { code: 0, signal: null }, own.log());
  assert.ok(tookMs < 1000, `exited ${tookMs} ms after SIGTERM: it waited for the idle session`);
  assert.match(own.log(), /"msg":"stopping".*"sessions":1/);
});

test('the shared server stops cleanly on SIGTERM (exit 0: no sanitizer report in ASan builds)', async () => {
  const result = await server.stop();
  assert.deepEqual(result, { code: 0, signal: null }, server.log());
});
