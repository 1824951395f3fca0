'use strict';
// Restart the lifecycle service while clients stay connected to the gateway: the gateway
// re-subscribes by itself (same bus endpoint) and the events published after the restart arrive,
// each exactly once and in order; the clients never reconnect.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useStack, address, uniqueId, waitFor, sleep } = require('./lib/harness');

const stack = useStack({ gateways: 1 });

// Filled by the first test, read by the second.
const run = { expected: [], lostInWindow: [] };

test('events published after a lifecycle restart reach the clients that stayed connected', { timeout: 90000 }, stack.withLogs(async () => {
  const sender = address('restart-sender');
  const receiver = address('restart-receiver');
  const ws = stack.client(stack.publicUrl, { transports: ['websocket'] });
  const polling = stack.client(stack.publicUrl, { transports: ['polling'] });
  run.clients = [['websocket', ws], ['polling', polling]];
  await Promise.all([ws.connected(), polling.connected()]);
  await ws.join(sender);
  await polling.join(receiver);
  const post = async (streamId, amount) => {
    const res = await stack.api('test-stream', { streamId, sender, receiver, amount });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };

  const first = uniqueId('before-restart');
  await post(first, '10');
  await ws.waitForEvent('new-stream', (p) => p.streamId === first);
  await polling.waitForEvent('new-stream', (p) => p.streamId === first);

  const stopped = await stack.lifecycle.stop('SIGTERM');
  assert.equal(stopped.code, 0, `lifecycle exits 0 on SIGTERM:\n${stack.lifecycle.tail()}`);
  await stack.startLifecycle(); // same port, same bus endpoint, same database

  // The gateway's SUB socket reconnects by itself; until it has, ZeroMQ drops what the new PUB
  // socket sends ("slow joiner"). Publish until one event gets through (bounded)...
  let through = null;
  const deadline = Date.now() + 30000;
  for (let n = 0; !through && Date.now() < deadline; n++) {
    const streamId = uniqueId(`reconnect-window-${n}`);
    await post(streamId, String(20 + n));
    through = await ws.waitForEvent('new-stream', (p) => p.streamId === streamId, 2000).then(() => streamId, () => null);
    if (!through) run.lostInWindow.push(streamId);
  }
  assert.ok(through, `no event reached the gateway within 30 s of the restart\n${stack.logs()}`);

  // ...then every later event must arrive at both clients, once each, in order, with no reconnect.
  const next = [];
  for (let n = 0; n < 3; n++) {
    next.push(uniqueId(`after-restart-${n}`));
    await post(next[n], String(100 + n));
  }
  const later = [through, ...next];
  for (const [name, client] of run.clients) {
    const ids = () => client.domainEvents().map((e) => e.payload.streamId).filter((id) => later.includes(id));
    await waitFor(`${name} client got the events after the restart`, () => ids().length >= later.length, { timeoutMs: 15000 });
    await sleep(300);
    assert.deepEqual(ids(), later, `${name} client: every event once, in order`);
    assert.equal(client.domainEvents()[0].payload.streamId, first);
    assert.equal(client.connects, 1, `${name} client stayed connected through the restart`);
  }
  run.expected = [first, ...run.lostInWindow, ...later];
}));

// docs/guarantees.md: a gap in seq is repaired from the lifecycle's outbox (the gateway's
// PULSE_REPLAY_URL), so the events published in the reconnect window arrive too, exactly once and
// in order, before the later ones.
test('events lost in the reconnect window are repaired, once each, in order', { timeout: 30000 }, stack.withLogs(async (t) => {
  assert.ok(run.clients, 'the restart test ran');
  t.diagnostic(`${run.lostInWindow.length} event(s) published while the gateway was re-subscribing`);
  for (const [name, client] of run.clients) {
    const ids = () => client.domainEvents().map((e) => e.payload.streamId);
    await waitFor(`${name} client got ${run.expected.length} streams`, () => ids().length >= run.expected.length, { timeoutMs: 10000 })
      .catch(() => {});
    assert.deepEqual(ids(), run.expected, `${name} client: ${run.lostInWindow.length} event(s) in the window`);
  }
}));
