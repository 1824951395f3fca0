'use strict';
// One gateway SIGSTOPped under load long enough for the lifecycle's PUB to drop what it cannot
// queue for it (past the high-water mark), then SIGCONT: the gateway sees the jump in seq, fetches
// the missed events from the replay endpoint, and its clients get every event once, in order.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, sleep } = require('./lib/chaos');

// A small PUB queue and kernel send buffer so that a few seconds of load overflow them (by
// default ZeroMQ queues 100,000 messages and the kernel tunes the buffer up to megabytes).
const stack = useChaosStack({ gateways: 2, lifecycleEnv: { PULSE_BUS_HWM: '20', PULSE_BUS_SNDBUF: '8192' } }, {
  beforeStop: (s) => s.gateways[0]?.alive && s.gateways[0].child.kill('SIGCONT'),
});

test('gateway stalled past the bus high-water mark, resumed: gap repair, 0 lost', { timeout: 120000 }, stack.withLogs(async (t) => {
  const load = await Load.across(stack, [0, 1], { clients: 100, rooms: 50 });
  const gapsBefore = await stack.metric(0, 'pulse_bus_missed_total');

  let stop = false;
  const publishing = load.publish({ concurrency: 6, until: () => stop });
  await sleep(500);
  stack.gateways[0].child.kill('SIGSTOP');
  await sleep(6000);
  stack.gateways[0].child.kill('SIGCONT');
  const resumedAt = Date.now();
  await sleep(1500);
  stop = true;
  await publishing;
  await load.settle(30000);

  const missed = (await stack.metric(0, 'pulse_bus_missed_total')) - gapsBefore;
  const repaired = await stack.metric(0, 'pulse_bus_repaired_total');
  const result = load.account(await stack.outbox());
  report(t, { fault: 'gateway SIGSTOP 6 s (past the PUB HWM), SIGCONT', clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `all caught up ${load.catchUpMs(resumedAt)} ms after SIGCONT (${missed} seqs missed on the bus, ${repaired} repaired)` });

  assert.ok(missed > 0, 'the stall overflowed the bus queue (else this test proves nothing)');
  assert.deepEqual([result.lost, result.dup, result.outOfOrder, result.phantom], [0, 0, 0, 0], result.details.join('\n'));
  for (const c of load.clients) assert.equal(c.connects, 1, 'clients stayed connected');
}));
