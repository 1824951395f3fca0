'use strict';
// A client that stops reading is cut once its send queue passes MAX_BUFFERED_BYTES, while a
// client in the same room keeps receiving every event: one slow client never delays the others
// and is never buffered without bound.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { account, startGatewayOnBus, connectClient, waitForEvent, count, emitWithAck, h } = require('./lib');

let stack;
let bus;
let gateway;

before(async () => {
  stack = await startGatewayOnBus({
    MAX_BUFFERED_BYTES: String(1024 * 1024),
    PING_INTERVAL_MS: '60000',  // only the send cap may cut the slow client here
    PING_TIMEOUT_MS: '60000',
    IO_THREADS: '2',
    LOG_LEVEL: 'debug',
  });
  ({ bus, gateway } = stack);
});
after(async () => { await stack?.stop(); });

// One sample of the gateway's /metrics (0 when absent).
async function metric(series) {
  const res = await h.request(`${gateway.origin}/metrics`);
  assert.equal(res.status, 200);
  const line = res.body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('a client that stops reading is cut at MAX_BUFFERED_BYTES; the others get everything', async () => {
  const address = account(700);
  const room = `stream-${address}`;
  const fast = await connectClient(gateway.origin, { transports: ['websocket'] });

  // The slow client speaks raw Engine.IO/Socket.IO so we can stop reading its TCP socket.
  const slow = new h.TestSocket(h.wsUrl(gateway, '/socket.io/', 'transport=websocket'));
  await slow.opened;
  await slow.nextText();  // open
  slow.send('40');
  await slow.nextText();  // 40{"sid":...}
  slow.send(`421["join-stream-room","${address}"]`);
  await h.waitFor(() => slow.queue.some((m) => m.text && m.text.startsWith('431')), { what: 'slow join ack' });
  await emitWithAck(fast, 'join-stream-room', address);

  // The slow joiner of PUB/SUB: wait until the bus reaches the fast client.
  for (let i = 0; i < 50 && count(fast, 'balance-update') === 0; i++) {
    await bus.publish('balance-update', [room], { address, newBalance: 'probe', timestamp: 't' });
    await h.sleep(100);
  }
  assert.ok(count(fast, 'balance-update') > 0);

  const cutsBefore = await metric('pulse_gateway_slow_client_cuts_total');
  const overflowsBefore = await metric('pulse_gateway_disconnects_total{reason="send overflow"}');
  slow.ws._socket.pause();  // stop reading: the kernel buffers fill, then the gateway's queue
  // 16 MB in all: more than the kernel's socket buffers plus the 1 MB cap can hold for the slow
  // client. Published in batches the fast client keeps up with (at most 400 KB in flight), so
  // only the client that stopped reading can overflow.
  const events = 800;
  const batch = 20;
  const filler = 'x'.repeat(20 * 1024);
  for (let i = 0; i < events; i++) {
    await bus.publish('new-stream', [room], { streamId: `big-${i}`, filler });
    if ((i + 1) % batch === 0) {
      await h.waitFor(() => count(fast, 'new-stream') === i + 1, { timeoutMs: 10000, what: `the fast client receiving event ${i}` });
    }
  }
  const ids = fast.received.filter((e) => e.event === 'new-stream').map((e) => e.args[0].streamId);
  assert.deepEqual(ids, Array.from({ length: events }, (_, i) => `big-${i}`), 'in order, none missing');

  await h.waitFor(() => /"reason":"send overflow"/.test(gateway.log()), { timeoutMs: 5000, what: 'the send-overflow cut' });
  slow.ws._socket.resume();
  await h.withTimeout(slow.closed, 5000, 'the slow client seeing its connection closed');
  const slowEvents = slow.queue.filter((m) => m.text && m.text.startsWith('42["new-stream"')).length;
  assert.ok(slowEvents < events, `the slow client got ${slowEvents} of ${events}: it was not buffered without bound`);
  assert.equal(fast.connected, true);
  // The cut is counted once, as a slow-client cut and as a disconnect for that reason.
  await h.waitFor(async () => await metric('pulse_gateway_slow_client_cuts_total') > cutsBefore, { timeoutMs: 5000, what: 'the cut in /metrics' });
  assert.equal(await metric('pulse_gateway_slow_client_cuts_total'), cutsBefore + 1);
  assert.equal(await metric('pulse_gateway_disconnects_total{reason="send overflow"}'), overflowsBefore + 1);
  fast.disconnect();
});
