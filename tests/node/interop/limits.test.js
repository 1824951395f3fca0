'use strict';
// The per-socket limits and the /ws-status and room-error holes, with auth off (the
// default): rooms per socket (PULSE_MAX_ROOMS_PER_SOCKET), room-error echoing only a prefix,
// /ws-status linear in the number of users. Each shows the other clients are unaffected.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { account, useInjector, connectClient, waitForEvent, count, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const injector = useInjector();

test('PULSE_MAX_ROOMS_PER_SOCKET: the next join is refused, the socket and others carry on', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_ROOMS_PER_SOCKET: '3' });
  try {
    const greedy = await connectClient(gw.origin, { transports: ['websocket'] });
    for (let i = 0; i < 3; i++) assert.equal((await emitWithAck(greedy, 'join-stream-room', account(100 + i))).ok, true);
    // Joining a room it is already in is not one more.
    assert.equal((await emitWithAck(greedy, 'join-stream-room', account(100))).ok, true);
    assert.deepEqual(await emitWithAck(greedy, 'join-stream-room', account(200)), { ok: false, error: 'too many rooms' });
    const err = await waitForEvent(greedy, (e) => e.event === 'room-error', 'room-error');
    assert.equal(err.args[0].error, 'too many rooms');
    // Leaving frees a slot.
    assert.equal((await emitWithAck(greedy, 'leave-stream-room', account(101))).ok, true);
    assert.equal((await emitWithAck(greedy, 'join-stream-room', account(200))).ok, true);
    assert.equal(greedy.connected, true);

    const other = await connectClient(gw.origin, { transports: ['websocket'] });
    for (let i = 0; i < 3; i++) assert.equal((await emitWithAck(other, 'join-stream-room', account(300 + i))).ok, true);
    const metrics = await h.request(`${gw.origin}/metrics`);
    assert.match(metrics.body, /pulse_gateway_room_limit_total 1\n/);
    greedy.disconnect();
    other.disconnect();
  } finally {
    await gw.stop();
  }
});

test('room-error echoes at most a short prefix of what the client sent', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint });
  try {
    const c = await connectClient(gw.origin, { transports: ['websocket'] });
    const big = 'G'.repeat(900 * 1024);
    const ack = await emitWithAck(c, 'join-stream-room', big);
    assert.equal(ack.ok, false);
    const err = await waitForEvent(c, (e) => e.event === 'room-error', 'room-error');
    assert.equal(err.args[0].userAddress, 'G'.repeat(64));
    c.received.length = 0;
    await emitWithAck(c, 'join-stream-room', { nested: 'x'.repeat(100000) });
    const obj = await waitForEvent(c, (e) => e.event === 'room-error', 'room-error');
    assert.ok(JSON.stringify(obj.args[0]).length < 300, JSON.stringify(obj.args[0]).slice(0, 100));
    assert.equal((await emitWithAck(c, 'join-stream-room', account(5))).ok, true);
    c.disconnect();
  } finally {
    await gw.stop();
  }
});

test('/ws-status stays fast with 30,000 users; /health answers meanwhile', async (t) => {
  const gw = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: injector.bus.endpoint,
    PULSE_MAX_ROOMS_PER_SOCKET: '100000',
    PULSE_MAX_PACKETS_PER_S: '0',
    PULSE_MAX_JOINS_PER_S: '0',
    IO_THREADS: '1',
  });
  try {
    const c = await connectClient(gw.origin, { transports: ['websocket'] });
    const n = 30000;
    // In batches, each ended by an acknowledged join, so the socket's output never piles up.
    for (let i = 0; i < n; i += 500) {
      for (let j = i; j < i + 499; j++) c.emit('join-stream-room', account(10000 + j));
      assert.equal((await emitWithAck(c, 'join-stream-room', account(10000 + i + 499))).ok, true);
      c.received.length = 0;
    }
    assert.equal(JSON.parse((await h.request(`${gw.origin}/health`)).body).connectedUsers, n);
    const start = Date.now();
    const res = await h.request(`${gw.origin}/ws-status`, { timeoutMs: 60000 });
    const took = Date.now() - start;
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.connectedUsers.length, n);
    assert.equal(body.userConnections[account(10000)], 1);
    t.diagnostic(`/ws-status took ${took} ms for ${n} users`);
    assert.ok(took < 1500, `/ws-status took ${took} ms for ${n} users`);
    const t0 = Date.now();
    assert.equal((await h.request(`${gw.origin}/health`)).status, 200);
    assert.ok(Date.now() - t0 < 1000);
    // Hammered, it is not rendered once per request: at most once per 10 x its rendering time.
    const renders = async () => Number(/pulse_gateway_status_renders_total\{route="\/ws-status"\} (\d+)/
      .exec((await h.request(`${gw.origin}/metrics`)).body)[1]);
    const before = await renders();
    const answers = await Promise.all(Array.from({ length: 40 }, () => h.request(`${gw.origin}/ws-status`, { timeoutMs: 60000 })));
    for (const a of answers) assert.equal(JSON.parse(a.body).connectedUsers.length, n);
    const rendered = (await renders()) - before;
    t.diagnostic(`40 concurrent /ws-status requests: ${rendered} renderings`);
    assert.ok(rendered < 10, `${rendered} renderings for 40 requests`);
    c.disconnect();
  } finally {
    await gw.stop();
  }
});

// A raw WebSocket client: the upgrade, then frames written by hand (a library would refuse to
// send what these tests send). Resolves with the close code the server sent.
function rawWebSocket(origin, frames) {
  const net = require('node:net');
  const { port } = new URL(origin);
  return h.withTimeout(new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.slice(0, end).toString().startsWith('HTTP/1.1 101')) return reject(new Error(buf.toString()));
        upgraded = true;
        buf = buf.slice(end + 4);
        for (const f of frames) sock.write(f);
      }
      // Skip server frames until a close frame (opcode 8) arrives.
      while (buf.length >= 2) {
        const len = buf[1] & 0x7f;
        const hdr = len === 126 ? 4 : 2;
        const size = len === 126 ? buf.readUInt16BE(2) : len;
        if (buf.length < hdr + size) return;
        if ((buf[0] & 0x0f) === 8) return resolve(size >= 2 ? buf.readUInt16BE(hdr) : 1005);
        buf = buf.slice(hdr + size);
      }
    });
    sock.on('error', reject);
    sock.write('GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  }), 5000, 'server close frame');
}

function maskedFrame(opcode, payload) {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload);
  const out = Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | body.length]), mask, body]);
  for (let i = 0; i < body.length; i++) out[6 + i] ^= mask[i & 3];
  return out;
}

test('RFC 6455: invalid UTF-8 in a text frame closes 1007, an invalid close code 1002; others unaffected', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint });
  try {
    const bystander = await connectClient(gw.origin, { transports: ['websocket'] });
    assert.equal(await rawWebSocket(gw.origin, [maskedFrame(1, Buffer.from([0x34, 0xc0, 0xaf]))]), 1007);
    assert.equal(await rawWebSocket(gw.origin, [maskedFrame(8, Buffer.from([0x03, 0xed]))]), 1002);  // 1005
    assert.equal(await rawWebSocket(gw.origin, [maskedFrame(8, Buffer.from([0x13, 0x88]))]), 1002);  // 5000
    assert.equal(await rawWebSocket(gw.origin, [maskedFrame(8, Buffer.from([0x03, 0xe8]))]), 1000);  // valid: echoed
    assert.equal((await emitWithAck(bystander, 'join-stream-room', account(77))).ok, true);
    bystander.disconnect();
  } finally {
    await gw.stop();
  }
});

test('out of descriptors: the gateway pauses accepting, logs once, keeps serving and recovers', async () => {
  const { execFileSync } = require('node:child_process');
  const net = require('node:net');
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, IO_THREADS: '1' });
  const idle = [];
  try {
    const established = await connectClient(gw.origin, { transports: ['websocket'] });
    const open = fs.readdirSync(`/proc/${gw.proc.pid}/fd`).length;
    execFileSync('prlimit', ['--pid', String(gw.proc.pid), `--nofile=${open + 4}:`]);
    for (let i = 0; i < 24; i++) idle.push(net.connect(gw.port, '127.0.0.1'));
    await h.sleep(300);
    const cpu = () => {
      const f = fs.readFileSync(`/proc/${gw.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    const before = cpu();
    await h.sleep(2000);
    const used = cpu() - before;
    const lines = gw.log().split('\n').filter((l) => l.includes('accept failed')).length;
    assert.ok(lines >= 1 && lines <= 2, `${lines} accept-failure log lines`);
    assert.ok(used < 0.3, `${used} CPU seconds in 2 s while out of descriptors`);
    // The established connection is still served.
    assert.equal((await emitWithAck(established, 'join-stream-room', account(88))).ok, true);
    for (const s of idle) s.destroy();
    idle.length = 0;
    execFileSync('prlimit', ['--pid', String(gw.proc.pid), '--nofile=1024:']);
    await h.waitFor(async () => (await h.request(`${gw.origin}/health`).catch(() => ({ status: 0 }))).status === 200,
      { timeoutMs: 5000, stepMs: 100, what: '/health after descriptors came back' });
    const metrics = await h.request(`${gw.origin}/metrics`);
    assert.match(metrics.body, /pulse_gateway_accept_errors_total [1-9]/);
    established.disconnect();
  } finally {
    for (const s of idle) s.destroy();
    await gw.stop();
  }
});

test('malformed HTTP gets 400 / 414 / 431 with a JSON reason, then close; others unaffected', async () => {
  const net = require('node:net');
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint });
  const send = (bytes) => h.withTimeout(new Promise((resolve, reject) => {
    const sock = net.connect(gw.port, '127.0.0.1', () => sock.end(bytes));
    let out = '';
    sock.on('data', (d) => { out += d.toString('latin1'); });
    sock.on('close', () => resolve(out));
    sock.on('error', reject);
  }), 5000, 'the answer and the close');
  try {
    const bystander = await connectClient(gw.origin, { transports: ['websocket'] });
    const cases = [
      ['GET /health HTTP/1.1\r\nHost: x\r\nX-A: ' + 'a'.repeat(20000) + '\r\n\r\n', 431],
      ['GET /' + 'a'.repeat(20000) + ' HTTP/1.1\r\nHost: x\r\n\r\n', 414],
      ['GET /health HTTP/1.1\r\nHost: x\r\n' + Array.from({ length: 10000 }, (_, i) => `X${i}: v\r\n`).join('') + '\r\n', 431],
      ['\u0000\u0001garbage\r\n\r\n', 400],
      ['POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ];
    for (const [bytes, status] of cases) {
      const answer = await send(bytes);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer.slice(0, 80));
      assert.match(answer, /\r\n\r\n\{"error":"/);
    }
    assert.equal((await emitWithAck(bystander, 'join-stream-room', account(99))).ok, true);
    bystander.disconnect();
  } finally {
    await gw.stop();
  }
});

test('PULSE_MAX_PACKETS_PER_S: a flooding client gets limit-error and is cut; others unaffected', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_PACKETS_PER_S: '20' });
  try {
    const calm = await connectClient(gw.origin, { transports: ['websocket'] });
    const flood = await connectClient(gw.origin, { transports: ['websocket'] });
    const cut = new Promise((resolve) => flood.once('disconnect', resolve));
    for (let i = 0; i < 200; i++) flood.emit('join-stream-room', account(500));
    const reason = await h.withTimeout(cut, 5000, 'the flooding client cut');
    assert.equal(reason, 'transport close');
    const err = flood.received.find((e) => e.event === 'limit-error');
    assert.deepEqual(err?.args[0], { code: 'flood', reason: 'more than 20 packets per second' });
    // A client under the limit is served, before and after.
    for (let i = 0; i < 10; i++) assert.equal((await emitWithAck(calm, 'join-stream-room', account(600 + (i % 3)))).ok, true);
    assert.equal(calm.connected, true);
    const metrics = await h.request(`${gw.origin}/metrics`);
    assert.match(metrics.body, /pulse_gateway_flood_closes_total 1\n/);
    calm.disconnect();
  } finally {
    await gw.stop();
  }
});
