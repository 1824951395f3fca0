'use strict';
// The bus link between the lifecycle and one gateway delayed (300 ms a chunk), then cut (every
// connection dropped, new ones refused for 3 s) under load, through a TCP proxy: the other gateway
// is unaffected, the cut one repairs its gap once ZeroMQ reconnects; 0 lost, 0 duplicated, order kept.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, sleep } = require('./lib/chaos');

const stack = useChaosStack({ gateways: 2, busProxies: true });

test('bus link delayed then cut between the lifecycle and one gateway: 0 lost', { timeout: 120000 }, stack.withLogs(async (t) => {
  const load = await Load.across(stack, [0, 1], { clients: 100, rooms: 50 });
  const proxy = stack.proxies[0];
  const connectionsBefore = proxy.accepted;

  let stop = false;
  const publishing = load.publish({ concurrency: 4, pauseMs: 2, until: () => stop });
  await sleep(500);
  proxy.delayMs = 300;
  await sleep(3000);
  proxy.delayMs = 0;
  await proxy.cut(3000);
  const restoredAt = Date.now();
  await sleep(2000);
  stop = true;
  await publishing;
  await load.settle(30000);

  const missed = await stack.metric(0, 'pulse_bus_missed_total');
  const result = load.account(await stack.outbox());
  report(t, { fault: 'bus link to one gateway delayed 300 ms 3 s, then cut 3 s', clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `all caught up ${load.catchUpMs(restoredAt)} ms after the link came back (${missed} seqs missed on the bus)` });

  assert.ok(proxy.accepted > connectionsBefore, 'the gateway reconnected its bus link');
  assert.ok(missed > 0, 'events were published while the link was cut (else this test proves nothing)');
  assert.equal(await stack.metric(1, 'pulse_bus_missed_total'), 0, 'the other gateway saw no gap');
  assert.deepEqual([result.lost, result.dup, result.outOfOrder, result.phantom], [0, 0, 0, 0], result.details.join('\n'));
  for (const c of load.clients) assert.equal(c.connects, 1, 'clients stayed connected');
}));
