'use strict';
// Restart the lifecycle service while clients stay connected to the gateway: the gateway
// re-subscribes by itself (same bus endpoint) and the events published after the restart arrive,
// each exactly once and in order; the clients never reconnect.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Stack, address, uniqueId, waitFor, sleep } = require('./lib/harness');

const stack = new Stack({ gateways: 1 });
before(async () => {
  await stack.start();
  await stack.waitBusReady();
});
after(() => stack.stop());

test('events published after a lifecycle restart reach the clients that stayed connected', { timeout: 90000 }, async () => {
  const sender = address('restart-sender');
  const receiver = address('restart-receiver');
  const ws = stack.client(stack.publicUrl, { transports: ['websocket'] });
  const polling = stack.client(stack.publicUrl, { transports: ['polling'] });
  await Promise.all([ws.connected(), polling.connected()]);
  await ws.join(sender);
  await polling.join(receiver);

  const first = uniqueId('before-restart');
  assert.equal((await stack.api('test-stream', { streamId: first, sender, receiver, amount: '10' })).status, 200);
  await ws.waitForEvent('new-stream', (p) => p.streamId === first);
  await polling.waitForEvent('new-stream', (p) => p.streamId === first);

  const stopped = await stack.lifecycle.stop('SIGTERM');
  assert.equal(stopped.code, 0, `lifecycle exits 0 on SIGTERM:\n${stack.lifecycle.tail()}`);
  await stack.startLifecycle(); // same port, same bus endpoint, same database

  // The first event after the restart may race the gateway's reconnect to the new PUB socket
  // (ZeroMQ drops what is published before a subscriber is attached). DESIGN.md's gap repair must
  // then deliver it when the next one reveals the gap. Either way: every event, once, in order.
  const after = [];
  const deadline = Date.now() + 30000;
  for (let n = 0; Date.now() < deadline; n++) {
    const streamId = uniqueId(`after-restart-${n}`);
    const res = await stack.api('test-stream', { streamId, sender, receiver, amount: String(20 + n) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    after.push(streamId);
    const got = await ws.waitForEvent('new-stream', (p) => p.streamId === streamId, 3000).catch(() => null);
    if (got) break;
  }
  const expected = [first, ...after];
  for (const [name, client] of [['websocket', ws], ['polling', polling]]) {
    await waitFor(`${name} client got ${expected.length} streams`, () => client.domainEvents().length >= expected.length, { timeoutMs: 15000 });
  }
  await sleep(300);
  for (const [name, client] of [['websocket', ws], ['polling', polling]]) {
    assert.deepEqual(client.domainEvents().map((e) => e.payload.streamId), expected, `${name} client: every event once, in order`);
    assert.equal(client.connects, 1, `${name} client stayed connected through the restart`);
  }
});
