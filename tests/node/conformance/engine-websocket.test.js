'use strict';
// Engine.IO v4 conformance over WebSocket: messages, heartbeat, close, the polling -> WebSocket
// upgrade (probe, noop, order of packets), duplicate WebSockets, 1009 and the slow-client cut.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/engine-helpers');

const BIN = process.env.ENGINE_ECHO_BIN;
const PATH = '/engine.io/';
let server;

before(async () => {
  server = await h.startServer(BIN, { MAX_PAYLOAD_BYTES: '1000', MAX_BUFFERED_BYTES: '1000000' });
});
after(async () => { await server?.stop(); });

// A WebSocket for an existing polling session (the upgrade probe, or a duplicate), opened.
async function openForSid(sid) {
  const ws = new h.TestSocket(h.wsUrl(server, PATH, `transport=websocket&sid=${sid}`));
  await ws.opened;
  return ws;
}

// Our close handshake, waited for.
async function closeWs(ws) {
  ws.close();
  await ws.closed;
}

async function openWs(srv = server) {
  const ws = new h.TestSocket(h.wsUrl(srv, PATH, 'transport=websocket'));
  await ws.opened;
  const open = JSON.parse((await ws.nextText()).slice(1));
  return { ws, sid: open.sid };
}

test('text and binary messages are echoed as text and binary frames', async () => {
  const { ws } = await openWs();
  ws.send('4hello \u20ac');
  assert.equal(await ws.nextText(), '4hello \u20ac');
  ws.send(Buffer.from([1, 2, 3]));
  const bin = await ws.next();
  assert.deepEqual(bin.binary, Buffer.from([1, 2, 3]));
  await closeWs(ws);
});

test('heartbeat over WebSocket: ping, pong keeps it open; silence closes it', async () => {
  const { ws } = await openWs();
  for (let i = 0; i < 3; i++) {
    assert.equal(await ws.nextText(1000), '2');
    ws.send('3');
  }
  ws.send('4ok');
  assert.equal(await ws.nextText(), '4ok');
  assert.equal(await ws.nextText(1000), '2');
  // No pong: closed within pingTimeout (200 ms) plus slack.
  const started = Date.now();
  await h.withTimeout(ws.closed, 1500, 'close after a missing pong');
  assert.ok(Date.now() - started < 1500);
});

test('close packet from the client closes the WebSocket', async () => {
  const { ws } = await openWs();
  ws.send('1');
  await h.withTimeout(ws.closed, 2000, 'server closing after a close packet');
});

test('1009 for a message over maxPayload', async () => {
  const { ws } = await openWs();
  ws.send('4' + 'x'.repeat(5000));
  const { code } = await h.withTimeout(ws.closed, 2000, 'close 1009');
  assert.equal(code, 1009);
});

test('upgrade: 2probe/3probe, pending GET released with noop, 5 completes, order preserved', async () => {
  const { sid } = await h.handshake(server);
  const pendingGet = h.poll(server, sid);
  await h.sleep(20);
  const ws = await openForSid(sid);
  ws.send('2probe');
  assert.equal(await ws.nextText(), '3probe');
  const released = await pendingGet;
  assert.equal(released.body, '6');
  // Messages sent while upgrading are queued and must come out, in order, after the upgrade.
  await h.post(server, sid, ['4m1', '4m2', '4m3'].join(h.SEP));
  ws.send('5');
  assert.equal(await ws.nextText(), '4m1');
  assert.equal(await ws.nextText(), '4m2');
  assert.equal(await ws.nextText(), '4m3');
  ws.send('4over ws');
  assert.equal(await ws.nextText(), '4over ws');
  // Polling with that sid is refused from now on.
  const refused = await h.poll(server, sid);
  assert.equal(refused.status, 400);
  assert.deepEqual(JSON.parse(refused.body), { code: 3, message: 'Bad request' });
  // A second WebSocket for the same sid is accepted, then closed; the first keeps working.
  const dup = await openForSid(sid);
  await h.withTimeout(dup.closed, 2000, 'duplicate WebSocket closed');
  ws.send('4still');
  assert.equal(await ws.nextText(), '4still');
  await closeWs(ws);
});

test('upgrade: echoes queued before the probe are delivered in order across the switch', async () => {
  const { sid } = await h.handshake(server);
  await h.post(server, sid, ['4a', '4b'].join(h.SEP));
  const ws = await openForSid(sid);
  ws.send('2probe');
  assert.equal(await ws.nextText(), '3probe');
  // The queued echoes are flushed on the next GET (still polling), never dropped or reordered.
  const got = h.decodePayload((await h.poll(server, sid)).body).map((p) => p.data);
  assert.deepEqual(got, ['a', 'b']);
  await h.post(server, sid, '4c');
  ws.send('5');
  assert.equal(await ws.nextText(), '4c');
  await closeWs(ws);
});

test('a failed probe leaves the session on polling', async () => {
  const { sid } = await h.handshake(server);
  const ws = await openForSid(sid);
  ws.send('4not a probe');
  await h.withTimeout(ws.closed, 2000, 'probe WebSocket closed');
  await h.post(server, sid, '4still polling');
  const packets = h.decodePayload((await h.poll(server, sid)).body);
  assert.deepEqual(packets, [{ type: '4', data: 'still polling' }]);
});

test('a WebSocket client that stops reading is cut; another client is not delayed', async () => {
  const slow = await openWs();
  const fast = await openWs();
  slow.ws.ws._socket.pause();  // stop reading: the kernel buffers fill, then the server queue
  slow.ws.send('4flood 4000 10000');  // 40 MB for a 1 MB queue cap
  const rtts = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    fast.ws.send(`4ping ${i}`);
    let m;
    do { m = await fast.ws.nextText(2000); } while (m === '2' && (fast.ws.send('3'), true));
    assert.equal(m, `4ping ${i}`);
    rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  rtts.sort((a, b) => a - b);
  assert.ok(rtts[rtts.length - 1] < 500, `fast client round trips stayed short (max ${rtts[rtts.length - 1]} ms)`);
  // The slow client's connection was dropped: resuming shows the end of the stream.
  slow.ws.ws._socket.resume();
  await h.withTimeout(slow.ws.closed, 5000, 'slow client disconnected');
  // It got only part of the 4000 messages before being cut (all would mean no bound at all).
  const delivered = slow.ws.queue.filter((m) => m.text && m.text.startsWith('4x')).length;
  assert.ok(delivered < 4000, `slow client was cut (received ${delivered} of 4000)`);
  fast.ws.close();
  await fast.ws.closed;
});

test('SIGTERM: WebSocket clients get a close frame and the server exits 0', async () => {
  const own = await h.startServer(BIN, { PING_INTERVAL_MS: '10000', PING_TIMEOUT_MS: '5000' });
  const { ws } = await openWs(own);
  ws.send('4before');
  assert.equal(await ws.nextText(), '4before');
  const exited = own.stop('SIGTERM');
  const { code } = await h.withTimeout(ws.closed, 3000, 'close frame on shutdown');
  assert.equal(code, 1000);
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('the shared server stops cleanly on SIGTERM (exit 0: no sanitizer report in ASan builds)', async () => {
  const result = await server.stop();
  assert.deepEqual(result, { code: 0, signal: null }, server.log());
});
