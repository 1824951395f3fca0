'use strict';
// Interop: the stock socket.io-client 4.8.4 (default options, websocket only, polling only)
// against pulse-gateway, with events coming from a real ZeroMQ publisher (pulse-bus-inject):
// rooms, exact payloads, encoded-once delivery to sockets in several rooms, acks, room errors,
// presence in /health and /ws-status, CORS, malformed bus messages, SIGTERM.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { account, startInjector, connectClient, waitForEvent, count, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const INJECT_BIN = process.env.PULSE_BUS_INJECT_BIN;
const ALLOWED = 'http://allowed.example';
let bus;
let gateway;

async function startGateway(extra = {}) {
  return h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    FRONTEND_URL: ALLOWED,
    IO_THREADS: '2',
    ...extra,
  });
}

// A bus event reaches the client as (payload, offset): connection state recovery is on by
// default, and like socket.io's it appends the event's offset ("<epoch>:<seq>") as the last argument.
function assertEventArgs(args, payload) {
  assert.equal(args.length, 2, `payload and offset: ${JSON.stringify(args)}`);
  assert.deepEqual(args[0], payload);
  assert.match(args[1], /^.+:\d+$/);
}

// PUB/SUB's slow joiner: publish to a probe room until a probe client sees it, so the tests that
// follow know the subscription is live. Bounded: 50 tries, 100 ms apart.
async function syncBus(server) {
  const probeAddress = account(999999);
  const probe = await connectClient(server.origin, { transports: ['websocket'] });
  await emitWithAck(probe, 'join-stream-room', probeAddress);
  for (let i = 0; i < 50 && count(probe, 'balance-update') === 0; i++) {
    await bus.publish('balance-update', [`stream-${probeAddress}`], { address: probeAddress, newBalance: '0', timestamp: new Date().toISOString() });
    await h.sleep(100);
  }
  assert.ok(count(probe, 'balance-update') > 0, 'the gateway never received from the bus');
  probe.disconnect();
}

// A marker event to `address`'s room; once `socket` got it, everything published before reached it.
async function fence(socket, address, tag) {
  await bus.publish('balance-update', [`stream-${address}`], { address, newBalance: tag, timestamp: new Date().toISOString() });
  await waitForEvent(socket, (e) => e.event === 'balance-update' && e.args[0].newBalance === tag, `marker ${tag}`);
}

async function json(server, path) {
  const res = await h.request(`${server.origin}${path}`);
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body);
}

before(async () => {
  bus = await startInjector(INJECT_BIN);
  gateway = await startGateway();
  await syncBus(gateway);
});
after(async () => {
  await gateway?.stop();
  await bus?.stop();
});

const TRANSPORTS = [
  ['default transports (polling, then upgrade)', {}],
  ['transports: ["websocket"]', { transports: ['websocket'] }],
  ['transports: ["polling"]', { transports: ['polling'] }],
];

TRANSPORTS.forEach(([name, options], i) => {
  test(`${name}: join, exact new-stream and balance-update payloads, leave`, async () => {
    const alice = account(100 + i * 10);
    const bob = account(101 + i * 10);
    const other = account(102 + i * 10);
    const socket = await connectClient(gateway.origin, options);
    try {
      if (i === 0) {
        assert.equal(socket.firstTransport, 'polling');
        await h.waitFor(() => socket.io.engine.transport.name === 'websocket', { what: 'the upgrade to websocket' });
      } else {
        assert.equal(socket.firstTransport, options.transports[0]);
        assert.equal(socket.io.engine.transport.name, options.transports[0]);
      }

      const room = `stream-${alice}`;
      assert.deepEqual(await emitWithAck(socket, 'join-stream-room', alice), { ok: true, roomName: room });
      const joined = await waitForEvent(socket, (e) => e.event === 'joined-room');
      assert.deepEqual(joined.args, [{ userAddress: alice, roomName: room }]);

      const stream = { streamId: `s-${i}`, sender: alice, receiver: bob, amount: '1000000000', status: 'ACTIVE', timestamp: new Date().toISOString() };
      await bus.publish('new-stream', [`stream-${alice}`, `stream-${bob}`], stream);
      const got = await waitForEvent(socket, (e) => e.event === 'new-stream');
      assertEventArgs(got.args, stream);
      assert.deepEqual(Object.keys(got.args[0]), Object.keys(stream), 'key order is kept');

      const balance = { address: alice, newBalance: '500000000', timestamp: new Date().toISOString() };
      await bus.publish('balance-update', [room], balance);
      const b = await waitForEvent(socket, (e) => e.event === 'balance-update');
      assertEventArgs(b.args, balance);

      assert.deepEqual(await emitWithAck(socket, 'leave-stream-room', alice), { ok: true, roomName: room });
      const left = await waitForEvent(socket, (e) => e.event === 'left-room');
      assert.deepEqual(left.args, [{ userAddress: alice, roomName: room }]);

      // After leaving, alice's events no longer arrive (checked with a fence on another room).
      socket.emit('join-stream-room', other);
      await waitForEvent(socket, (e) => e.event === 'joined-room' && e.args[0].userAddress === other);
      await bus.publish('new-stream', [room], { ...stream, streamId: 'after-leave' });
      await fence(socket, other, `fence-${i}`);
      assert.equal(count(socket, 'new-stream'), 1);
    } finally {
      socket.disconnect();
    }
  });
});

test('a socket in both rooms gets an event once; each socket gets only its rooms', async () => {
  const alice = account(200);
  const bob = account(201);
  const carol = account(202);
  const both = await connectClient(gateway.origin, {});
  const onlyAlice = await connectClient(gateway.origin, { transports: ['websocket'] });
  const onlyBob = await connectClient(gateway.origin, { transports: ['polling'] });
  const onlyCarol = await connectClient(gateway.origin, { transports: ['websocket'] });
  const all = [both, onlyAlice, onlyBob, onlyCarol];
  try {
    await emitWithAck(both, 'join-stream-room', alice);
    await emitWithAck(both, 'join-stream-room', bob);
    await emitWithAck(both, 'join-stream-room', bob);  // joining twice is harmless
    await emitWithAck(onlyAlice, 'join-stream-room', alice);
    await emitWithAck(onlyBob, 'join-stream-room', bob);
    await emitWithAck(onlyCarol, 'join-stream-room', carol);

    const data = { streamId: 'both-1', sender: alice, receiver: bob, amount: '1', status: 'ACTIVE', timestamp: new Date().toISOString() };
    await bus.publish('new-stream', [`stream-${alice}`, `stream-${bob}`], data);
    // Fences for every socket, in a room it is in.
    await bus.publish('balance-update', [`stream-${alice}`, `stream-${bob}`, `stream-${carol}`], { address: 'fence', newBalance: 'f', timestamp: 't' });
    for (const s of all) await waitForEvent(s, (e) => e.event === 'balance-update' && e.args[0].address === 'fence', 'fence');

    assert.equal(count(both, 'new-stream'), 1, 'a socket in both rooms gets the event once');
    assert.equal(count(both, 'balance-update', (a) => a[0].address === 'fence'), 1);
    assert.equal(count(onlyAlice, 'new-stream'), 1);
    assert.equal(count(onlyBob, 'new-stream'), 1);
    assert.equal(count(onlyCarol, 'new-stream'), 0, 'a socket outside the rooms gets nothing');
    assertEventArgs(both.received.find((e) => e.event === 'new-stream').args, data);
  } finally {
    for (const s of all) s.disconnect();
  }
});

test('an invalid address: room-error and a negative ack, nothing joined', async () => {
  const socket = await connectClient(gateway.origin, { transports: ['websocket'] });
  try {
    const bad = 'GDUSER1...';
    const ack = await emitWithAck(socket, 'join-stream-room', bad);
    assert.equal(ack.ok, false);
    assert.equal(typeof ack.error, 'string');
    const err = await waitForEvent(socket, (e) => e.event === 'room-error');
    assert.equal(err.args[0].userAddress, bad);
    assert.equal(err.args[0].error, ack.error);
    const status = await json(gateway, '/ws-status');
    assert.equal(status.userConnections[bad], undefined);
    // The connection is still fine.
    assert.equal((await emitWithAck(socket, 'join-stream-room', account(300))).ok, true);
  } finally {
    socket.disconnect();
  }
});

test('/health and /ws-status count sockets by address and forget disconnected ones', async () => {
  const own = await startGateway();
  const alice = account(400);
  const bob = account(401);
  const sockets = [];
  try {
    assert.deepEqual(await json(own, '/ws-status'), { connectedUsers: [], userConnections: {} });
    const a1 = await connectClient(own.origin, { transports: ['websocket'] });
    const a2 = await connectClient(own.origin, { transports: ['polling'] });
    const b1 = await connectClient(own.origin, {});
    sockets.push(a1, a2, b1);
    await emitWithAck(a1, 'join-stream-room', alice);
    await emitWithAck(a2, 'join-stream-room', alice);
    await emitWithAck(b1, 'join-stream-room', bob);
    await emitWithAck(b1, 'join-stream-room', alice);

    const status = await json(own, '/ws-status');
    assert.deepEqual([...status.connectedUsers].sort(), [alice, bob].sort());
    assert.deepEqual(status.userConnections, { [alice]: 3, [bob]: 1 });
    assert.deepEqual(await json(own, '/health'),
      { status: 'ok', message: 'StellarStream Backend is running', websocket: true, connectedUsers: 2 });

    await emitWithAck(b1, 'leave-stream-room', bob);
    assert.deepEqual((await json(own, '/ws-status')).userConnections, { [alice]: 3 });

    a1.disconnect();
    await h.waitFor(async () => (await json(own, '/ws-status')).userConnections[alice] === 2, { what: 'a1 cleanup' });
    // An abrupt end of the transport (no Socket.IO disconnect packet) is cleaned up too.
    b1.io.engine.close();
    await h.waitFor(async () => (await json(own, '/ws-status')).userConnections[alice] === 1, { what: 'b1 cleanup' });
    a2.disconnect();
    await h.waitFor(async () => (await json(own, '/health')).connectedUsers === 0, { what: 'a2 cleanup' });
    assert.deepEqual(await json(own, '/ws-status'), { connectedUsers: [], userConnections: {} });
  } finally {
    for (const s of sockets) s.disconnect();
    await own.stop();
  }
});

test('CORS: the FRONTEND_URL origin is accepted, a foreign origin refused', async () => {
  const ok = await h.request(h.eioUrl(gateway, '/socket.io/', 'transport=polling'), { headers: { origin: ALLOWED } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['access-control-allow-origin'], ALLOWED);
  const refused = await h.request(h.eioUrl(gateway, '/socket.io/', 'transport=polling'), { headers: { origin: 'http://evil.example' } });
  assert.equal(refused.status, 403);

  const allowedClient = await connectClient(gateway.origin, { transports: ['websocket'], extraHeaders: { origin: ALLOWED } });
  allowedClient.disconnect();
  for (const transports of [['websocket'], ['polling']]) {
    await assert.rejects(
      connectClient(gateway.origin, { transports, extraHeaders: { origin: 'http://evil.example' } }),
      (err) => err instanceof Error, `a foreign origin over ${transports[0]} must be refused`);
  }
});

test('malformed bus messages are dropped and counted; the stream goes on', async () => {
  const alice = account(500);
  const socket = await connectClient(gateway.origin, { transports: ['websocket'] });
  try {
    await emitWithAck(socket, 'join-stream-room', alice);
    const before = await h.request(`${gateway.origin}/metrics`);
    const malformedBefore = Number(/pulse_bus_malformed_total (\d+)/.exec(before.body)[1]);
    await bus.publishRaw('{not json');
    await bus.publishRaw(JSON.stringify({ v: 1, epoch: bus.epoch, seq: 1e9, event: 'connect', rooms: [`stream-${alice}`], data: {} }));
    await bus.publishRaw(JSON.stringify({ v: 1, epoch: bus.epoch, seq: 1e9 + 1, event: 'new-stream', rooms: [], data: {} }));
    await fence(socket, alice, 'after-malformed');
    const after = await h.request(`${gateway.origin}/metrics`);
    const malformedAfter = Number(/pulse_bus_malformed_total (\d+)/.exec(after.body)[1]);
    assert.equal(malformedAfter - malformedBefore, 3);
    assert.equal(count(socket, 'connect'), 0);
    assert.equal(socket.received.filter((e) => e.event !== 'joined-room' && e.event !== 'balance-update').length, 0);
  } finally {
    socket.disconnect();
  }
});

test('SIGTERM: every client is disconnected with a close packet, the gateway exits 0', async () => {
  const own = await startGateway({ PULSE_DRAIN_MS: '300' });
  const ws = await connectClient(own.origin, { transports: ['websocket'] });
  const polling = await connectClient(own.origin, { transports: ['polling'] });
  const reasons = [];
  const gone = Promise.all([ws, polling].map((s) => new Promise((resolve) => s.once('disconnect', (r) => { reasons.push(r); resolve(); }))));
  const result = await own.stop('SIGTERM');
  assert.equal(result.code, 0, own.log());
  await h.withTimeout(gone, 3000, 'both clients seeing the disconnect');
  assert.equal(reasons.length, 2);
  assert.match(own.log(), /"msg":"stopped"/);
});
