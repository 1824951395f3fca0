'use strict';
// A client that stops reading during a flood of its room is cut once its send queue passes
// MAX_BUFFERED_BYTES; the other clients (some in the same room) get every event once, in order,
// with their latency unchanged. The slow client is raw Engine.IO long-polling that stops sending
// GETs: nothing drains its queue, and no kernel buffer hides it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, sleep, address } = require('./lib/chaos');

const CAP = 32 * 1024;
const stack = useChaosStack({ gateways: 1, gatewayEnv: { MAX_BUFFERED_BYTES: String(CAP) } });

async function poll(sid, { method = 'GET', body } = {}) {
  const q = sid ? `&sid=${sid}` : '';
  const res = await fetch(`${stack.gatewayUrl(0)}/socket.io/?EIO=4&transport=polling${q}`, {
    method, body, headers: body ? { 'content-type': 'text/plain;charset=UTF-8' } : {}, signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, text: await res.text() };
}

function latencies(load, posts) {
  const sent = new Map(posts.map((p) => [p.streamId, p.sentAt]));
  const all = [];
  for (const c of load.clients) for (const a of c.arrivals) if (sent.has(a.streamId)) all.push(a.t - sent.get(a.streamId));
  all.sort((a, b) => a - b);
  const at = (q) => all[Math.min(all.length - 1, Math.floor(q * all.length))];
  return { n: all.length, p50: at(0.5), p99: at(0.99) };
}

test('a client that stops reading is cut at the byte cap; the others keep their latency, 0 lost', { timeout: 120000 }, stack.withLogs(async (t) => {
  const load = new Load(stack, { clients: 200, rooms: 60 });
  await load.connect();
  const slowAddr = address('chaos-slow');
  // Two ordinary clients share the slow client's room.
  load.addresses.push(slowAddr);
  for (const c of load.clients.slice(0, 2)) {
    await c.leave(c.addr);
    c.addr = slowAddr;
    await c.join(slowAddr);
  }

  const open = await poll();
  const sid = JSON.parse(open.text.slice(1)).sid;
  assert.equal((await poll(sid, { method: 'POST', body: '40' })).status, 200);
  assert.match((await poll(sid)).text, /^40/);
  assert.equal((await poll(sid, { method: 'POST', body: `42["join-stream-room","${slowAddr}"]` })).status, 200);
  assert.match((await poll(sid)).text, /joined-room/);

  // Baseline: the same rate without the flood of the slow client's room.
  const baseStart = load.posts.length;
  await load.publish({ count: 400, concurrency: 4 });
  const base = latencies(load, load.posts.slice(baseStart));

  // The flood: every event goes to the slow client's room; it sends no GET any more.
  const floodStart = load.posts.length;
  await load.publish({ count: 400, concurrency: 4, sender: slowAddr });
  const flood = latencies(load, load.posts.slice(floodStart));
  await load.settle(20000);

  const after = await poll(sid);
  const result = load.account(await stack.outbox());
  report(t, { fault: `client stops reading during a flood (cap ${CAP / 1024} KB)`, clients: result.clients + 1, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `slow client cut; others p99 ${base.p99} -> ${flood.p99} ms (p50 ${base.p50} -> ${flood.p50})` });

  assert.equal(after.status, 400, `the slow session was closed at the cap: ${after.status} ${after.text}`);
  assert.deepEqual([result.lost, result.dup, result.outOfOrder, result.phantom], [0, 0, 0, 0], result.details.join('\n'));
  // Shared 2-core machine: a generous bound, still far below what buffering the slow client
  // inline (or waiting on it) would cost.
  assert.ok(flood.p99 <= base.p99 * 3 + 100, `others' p99 ${base.p99} -> ${flood.p99} ms`);
  for (const c of load.clients) assert.equal(c.connects, 1, 'the others stayed connected');
}));
