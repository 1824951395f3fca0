'use strict';
// Socket.IO v5 conformance, written from the socket.io-protocol v5 spec (and its test suite's
// scenarios), against pulse-conformance-server: connect (main, custom, unknown namespace, auth
// payload, connect timeout), disconnect, events, acks, binary attachments, malformed packets -
// over WebSocket and over HTTP long-polling. Raw frames only (ws + http), no Socket.IO library.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/engine-helpers');

const BIN = process.env.PULSE_CONFORMANCE_BIN;
const PATH = '/socket.io/';
let server;

before(async () => {
  server = await h.startServer(BIN, {});
});
after(async () => {
  await server?.stop();
});

// An Engine.IO WebSocket session on /socket.io/ that answers pings, so tests see only Socket.IO.
async function openSession() {
  const ws = new h.TestSocket(h.wsUrl(server, PATH, 'transport=websocket'));
  await ws.opened;
  const open = await ws.nextText();
  assert.equal(open[0], '0');
  return ws;
}

// A session connected to the main namespace, its CONNECT answer and the `auth` event that the
// conformance server emits on connect already read.
async function openConnected() {
  const ws = await openSession();
  ws.send('40');
  await next(ws);
  await next(ws);
  return ws;
}

// Next message that is not a heartbeat: text as a string, binary as a Buffer.
async function next(ws, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no Socket.IO message within ${timeoutMs} ms`);
    const m = await ws.next(left);
    if (m.binary) return m.binary;
    if (m.text === '2') { ws.send('3'); continue; }
    return m.text;
  }
}

// Asserts that nothing but heartbeats arrives for `ms`.
async function expectSilence(ws, ms) {
  await assert.rejects(next(ws, ms), /no (Socket.IO )?message within/);
}

async function expectClosed(ws, timeoutMs = 2000) {
  const closed = await h.withTimeout(ws.closed, timeoutMs, 'the server closing the connection');
  return closed;
}

function parseConnect(text, prefix) {
  assert.ok(text.startsWith(prefix), `expected ${prefix}{...}, got ${text}`);
  const body = JSON.parse(text.slice(prefix.length));
  assert.deepEqual(Object.keys(body), ['sid']);
  assert.match(body.sid, /^[A-Za-z0-9_-]{20}$/);
  return body.sid;
}

test('connect to the main namespace: CONNECT answered with a sid, then the auth event', async () => {
  const ws = await openSession();
  ws.send('40');
  parseConnect(await next(ws), '40');
  assert.equal(await next(ws), '42["auth",{}]');
  ws.close();
});

test('connect with an auth payload', async () => {
  const ws = await openSession();
  ws.send('40{"token":"123"}');
  parseConnect(await next(ws), '40');
  assert.equal(await next(ws), '42["auth",{"token":"123"}]');
  ws.close();
});

test('connect to a custom namespace (with and without payload)', async () => {
  const ws = await openSession();
  ws.send('40/custom,');
  const sid1 = parseConnect(await next(ws), '40/custom,');
  assert.equal(await next(ws), '42/custom,["auth",{}]');
  ws.send('40');
  const sid2 = parseConnect(await next(ws), '40');
  assert.notEqual(sid1, sid2, 'each namespace socket has its own id');
  assert.equal(await next(ws), '42["auth",{}]');
  ws.close();

  const ws2 = await openSession();
  ws2.send('40/custom,{"token":"abc"}');
  parseConnect(await next(ws2), '40/custom,');
  assert.equal(await next(ws2), '42/custom,["auth",{"token":"abc"}]');
  ws2.close();
});

test('an unknown namespace gets CONNECT_ERROR "Invalid namespace" and the connection stays open', async () => {
  const ws = await openSession();
  ws.send('40/random,');
  assert.equal(await next(ws), '44/random,{"message":"Invalid namespace"}');
  // Still usable afterwards.
  ws.send('40');
  parseConnect(await next(ws), '40');
  assert.equal(await next(ws), '42["auth",{}]');
  ws.close();
});

test('an invalid CONNECT closes the connection', async () => {
  const ws = await openSession();
  ws.send('4abc');
  await expectClosed(ws);
});

test('no CONNECT within connectTimeout (1000 ms) closes the connection', async () => {
  const started = Date.now();
  const ws = await openSession();
  // Keep answering pings so that only the connect timeout can close it.
  const pump = (async () => { try { for (;;) await next(ws, 5000); } catch { /* closed */ } })();
  await expectClosed(ws, 3000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 900, `closed after ${elapsed} ms, before the connect timeout`);
  await pump;
});

test('disconnect from the main namespace: later events are ignored, the session stays open', async () => {
  const ws = await openSession();
  ws.send('40');
  parseConnect(await next(ws), '40');
  await next(ws);  // auth
  ws.send('41');
  ws.send('42["message","ignored"]');
  await expectSilence(ws, 700);  // two ping intervals: the session is alive, nothing else comes
  ws.close();
});

test('disconnect from a custom namespace keeps the main one', async () => {
  const ws = await openSession();
  ws.send('40/custom,');
  parseConnect(await next(ws), '40/custom,');
  await next(ws);
  ws.send('40');
  parseConnect(await next(ws), '40');
  await next(ws);
  ws.send('41/custom,');
  ws.send('42/custom,["message","ignored"]');
  ws.send('42["message","main"]');
  assert.equal(await next(ws), '42["message-back","main"]');
  ws.close();
});

test('a plain-text event is answered with message-back and the same arguments', async () => {
  const ws = await openConnected();
  ws.send('42["message",1,"2",{"3":[true]}]');
  assert.equal(await next(ws), '42["message-back",1,"2",{"3":[true]}]');
  // Key order and unicode survive as sent.
  ws.send('42["message",{"z":1,"a":"é✓"}]');
  assert.equal(await next(ws), '42["message-back",{"z":1,"a":"é✓"}]');
  ws.close();
});

test('an event with binary attachments comes back as BINARY_EVENT with the same bytes', async () => {
  const ws = await openConnected();
  ws.send('452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  ws.send(Buffer.from([1, 2, 3]));
  ws.send(Buffer.from([4, 5]));
  assert.equal(await next(ws),
    '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  assert.deepEqual(await next(ws), Buffer.from([1, 2, 3]));
  assert.deepEqual(await next(ws), Buffer.from([4, 5]));
  ws.close();
});

test('an event with an ack id is acknowledged with the same arguments', async () => {
  const ws = await openConnected();
  ws.send('42456["message-with-ack",1,"2",{"3":[false]}]');
  assert.equal(await next(ws), '43456[1,"2",{"3":[false]}]');
  // In a custom namespace too.
  ws.send('40/custom,');
  await next(ws);
  await next(ws);
  ws.send('42/custom,7["message-with-ack","x"]');
  assert.equal(await next(ws), '43/custom,7["x"]');
  ws.close();
});

test('a binary event with an ack id is acknowledged with BINARY_ACK', async () => {
  const ws = await openConnected();
  ws.send('451-789["message-with-ack",{"_placeholder":true,"num":0}]');
  ws.send(Buffer.from([9, 8, 7]));
  assert.equal(await next(ws), '461-789[{"_placeholder":true,"num":0}]');
  assert.deepEqual(await next(ws), Buffer.from([9, 8, 7]));
  ws.close();
});

for (const [what, frames] of [
  ['unknown packet type', ['4abc']],
  ['EVENT payload not an array', ['42{}']],
  ['non-numeric ack id', ['42abc["message-with-ack",1,"2",{"3":[false]}]']],
  ['event name not a string', ['42[{"toString":"foo"}]']],
  ['reserved event name', ['42["disconnect"]']],
  ['placeholder index out of range', ['451-["message",{"_placeholder":true,"num":5}]', Buffer.from([1])]],
  ['more than 10 attachments', ['4511-["message"]']],
  ['binary data when no binary packet is pending', [Buffer.from([1, 2])]],
]) {
  test(`malformed packet closes that connection only: ${what}`, async () => {
    const bystander = await openSession();
    bystander.send('40');
    await next(bystander);
    await next(bystander);
    const ws = await openSession();
    ws.send('40');
    await next(ws);
    await next(ws);
    for (const f of frames) ws.send(f);
    await expectClosed(ws);
    bystander.send('42["message","still here"]');
    assert.equal(await next(bystander), '42["message-back","still here"]');
    bystander.close();
  });
}

test('events for a namespace the client did not connect to are ignored', async () => {
  const ws = await openConnected();
  ws.send('42/custom,["message","nope"]');
  ws.send('42["message","yes"]');
  assert.equal(await next(ws), '42["message-back","yes"]');
  ws.close();
});

test('the same exchanges over HTTP long-polling (text, ack, binary as b64)', async () => {
  const { sid } = await h.handshake(server, PATH);
  let res = await h.post(server, sid, '40', PATH);
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok');
  res = await h.poll(server, sid, PATH);
  let packets = h.decodePayload(res.body).filter((p) => p.type !== '2');
  assert.equal(packets.length, 2, res.body);
  parseConnect('4' + packets[0].data, '40');
  assert.equal(packets[1].data, '2["auth",{}]');

  // Two packets in one POST body, the binary attachment as "b" + base64.
  res = await h.post(server, sid,
    ['42["message","p"]', '42456["message-with-ack",1]', '451-["message",{"_placeholder":true,"num":0}]',
      'b' + Buffer.from([0xff, 0]).toString('base64')].join(h.SEP), PATH);
  assert.equal(res.body, 'ok');
  const got = [];
  for (let i = 0; i < 10 && got.length < 4; i++) {
    res = await h.poll(server, sid, PATH);
    got.push(...h.decodePayload(res.body).filter((p) => p.type !== '2'));
    if (h.decodePayload(res.body).some((p) => p.type === '2')) await h.post(server, sid, '3', PATH);
  }
  assert.equal(got[0].data, '2["message-back","p"]');
  assert.equal(got[1].data, '3456[1]');
  assert.equal(got[2].data, '51-["message-back",{"_placeholder":true,"num":0}]');
  assert.deepEqual(got[3].binary, Buffer.from([0xff, 0]));
});

test('/engine.io/ is a raw Engine.IO echo (text and binary)', async () => {
  const ws = new h.TestSocket(h.wsUrl(server, '/engine.io/', 'transport=websocket'));
  await ws.opened;
  assert.equal((await ws.nextText())[0], '0');
  ws.send('4hello');
  ws.send(Buffer.from([1, 2]));
  const seen = [];
  for (let i = 0; i < 5 && seen.length < 2; i++) {
    const m = await ws.next(2000);
    if (m.text === '2') { ws.send('3'); continue; }
    seen.push(m);
  }
  assert.deepEqual(seen, [{ text: '4hello' }, { binary: Buffer.from([1, 2]) }]);
  ws.close();
});

test('SIGTERM: sessions get a close, the server exits 0', async () => {
  const own = await h.startServer(BIN, {});
  const ws = new h.TestSocket(h.wsUrl(own, PATH, 'transport=websocket'));
  await ws.opened;
  await ws.nextText();
  ws.send('40');
  const result = await own.stop('SIGTERM');
  assert.equal(result.code, 0);
  const closed = await h.withTimeout(ws.closed, 3000, 'close');
  assert.equal(closed.code, 1000);
});
