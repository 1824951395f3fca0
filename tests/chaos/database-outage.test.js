'use strict';
// PostgreSQL crashes (immediate stop) and stays down ~5 s under load: the lifecycle answers 503 JSON meanwhile (nothing
// half-done reaches a client), /livez stays 200 while /readyz and /health say 503, and it serves
// again once the database is back, without a restart. Every client gets every event answered 200,
// once, in order.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ChaosStack, Load, pgStop, pgStart, report, waitFor, sleep, getJson } = require('./lib/chaos');

const stack = new ChaosStack({ gateways: 1 });
before(async () => {
  pgStop('fast');
  pgStart({ synchronousCommit: 'on' });
  await stack.start();
  await stack.waitBusReady();
});
after(async () => {
  try {
    pgStart({ synchronousCommit: 'on' });
  } catch {
    // already running
  }
  await stack.stop();
});

test('database outage under load: 503 JSON, probes tell, recovery without restart, 0 lost', { timeout: 120000 }, stack.withLogs(async (t) => {
  const load = new Load(stack, { clients: 200, rooms: 70 });
  await load.connect();
  const probe = async (p) => (await getJson(`${stack.lifecycleUrl}${p}`)).status;
  assert.deepEqual([await probe('/livez'), await probe('/readyz'), await probe('/health')], [200, 200, 200]);

  let stop = false;
  const publishing = load.publish({ concurrency: 4, pauseMs: 5, until: () => stop });
  await sleep(1500);
  const downAt = Date.now();
  pgStop();
  await sleep(1000);
  const during = { livez: await probe('/livez'), readyz: await probe('/readyz'), health: await probe('/health') };
  await sleep(Math.max(0, 5000 - (Date.now() - downAt)));
  const outage = load.posts.filter((p) => p.sentAt > downAt + 200 && p.sentAt < Date.now() - 200);
  pgStart({ synchronousCommit: 'on' });
  const upAt = Date.now();
  const firstOk = await waitFor('a 200 after the database is back', () => load.posts.find((p) => p.sentAt >= upAt && p.status === 200), { timeoutMs: 30000 });
  await waitFor('/readyz 200 again', async () => (await probe('/readyz')) === 200, { timeoutMs: 10000 });
  await sleep(1500);
  stop = true;
  await publishing;
  await load.settle();

  const result = load.account(await stack.outbox());
  const recovery = firstOk.answeredAt - upAt;
  report(t, { fault: 'PostgreSQL stopped 5 s (lifecycle 503s meanwhile)', clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `first 200 ${recovery} ms after the database was back` });
  t.diagnostic(JSON.stringify({ during, outageRequests: outage.length, statuses: [...new Set(outage.map((p) => p.status))] }));

  assert.deepEqual(during, { livez: 200, readyz: 503, health: 503 }, 'probes during the outage');
  assert.ok(outage.length > 0, 'requests were made during the outage');
  for (const p of outage) {
    assert.equal(p.status, 503, `during the outage: ${p.status} ${JSON.stringify(p.body)}`);
    assert.equal(typeof p.body.error, 'string', 'a JSON error body');
  }
  assert.ok(stack.lifecycle.alive, 'the lifecycle was not restarted');
  assert.equal(result.phantom, 0, result.details.join('\n'));
  assert.deepEqual([result.lost, result.dup, result.outOfOrder], [0, 0, 0], result.details.join('\n'));
}));
