'use strict';
// Gap repair: when the bus skips seqs (here the test publisher simply never sends them), the
// gateway fetches the missed events from the replay endpoint (PULSE_REPLAY_URL, the lifecycle's
// GET /internal/outbox?after=&limit=, played here by a small HTTP server) and delivers each once.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { account, startInjector, connectClient, waitForEvent, count, emitWithAck, h } = require('./lib');

let bus;
let gateway;
let replay;
const outbox = [];  // every envelope "committed", published or not
const requests = [];

before(async () => {
  bus = await startInjector(process.env.PULSE_BUS_INJECT_BIN);
  replay = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname + url.search);
    const afterSeq = Number(url.searchParams.get('after'));
    const limit = Number(url.searchParams.get('limit'));
    const events = outbox.filter((e) => e.seq > afterSeq).slice(0, limit);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ epoch: bus.epoch, lastSeq: outbox.length ? outbox[outbox.length - 1].seq : 0, hasMore: false, events }));
  });
  await new Promise((r) => replay.listen(0, '127.0.0.1', r));
  gateway = await h.startServer(process.env.PULSE_GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    PULSE_REPLAY_URL: `http://127.0.0.1:${replay.address().port}`,
    IO_THREADS: '2',
  });
});
after(async () => {
  await gateway?.stop();
  await bus?.stop();
  replay?.close();
});

test('missed seqs are fetched from the replay endpoint and delivered once, in order', async () => {
  const alice = account(800);
  const room = `stream-${alice}`;
  const socket = await connectClient(gateway.origin, { transports: ['websocket'] });
  await emitWithAck(socket, 'join-stream-room', alice);
  // Subscription live (slow joiner); these probes are in the outbox too.
  for (let i = 0; i < 50 && count(socket, 'balance-update') === 0; i++) {
    outbox.push(await bus.publish('balance-update', [room], { address: alice, newBalance: `probe-${i}`, timestamp: 't' }));
    await h.sleep(100);
  }
  assert.ok(count(socket, 'balance-update') > 0);
  await h.sleep(300);  // let in-flight probes land before we count
  const probes = count(socket, 'balance-update');

  // Three events are "committed" but never published (as if PUB dropped them)...
  const base = outbox[outbox.length - 1].seq;
  for (let k = 1; k <= 3; k++) {
    outbox.push({ v: 1, epoch: bus.epoch, seq: base + k, event: 'new-stream', rooms: [room], data: { streamId: `missed-${k}` } });
  }
  // ...then this one is published: seq jumps by 4.
  const published = { streamId: 'published-4' };
  await bus.publishRaw(JSON.stringify({ v: 1, epoch: bus.epoch, seq: base + 4, event: 'new-stream', rooms: [room], data: published }));
  await h.waitFor(() => count(socket, 'new-stream') === 4, { what: 'the 3 repaired events and the published one' });
  await h.sleep(200);
  const ids = socket.received.filter((e) => e.event === 'new-stream').map((e) => e.args[0].streamId);
  assert.deepEqual(ids, ['missed-1', 'missed-2', 'missed-3', 'published-4']);
  assert.ok(requests.some((r) => r === `/internal/outbox?after=${base}&limit=3`), JSON.stringify(requests));
  assert.equal(count(socket, 'balance-update'), probes, 'nothing replayed twice');
  const metrics = (await h.request(`${gateway.origin}/metrics`)).body;
  assert.match(metrics, /pulse_bus_repaired_total 3\b/);
  assert.match(metrics, /pulse_bus_gaps_total 1\b/);
  socket.disconnect();
});
