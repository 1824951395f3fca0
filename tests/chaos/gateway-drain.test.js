'use strict';
// SIGTERM on a gateway behind HAProxy under load: /readyz answers 503 at once and new sessions are
// refused, its clients are asked to reconnect spread over PULSE_DRAIN_MS (not all in the same
// millisecond), they resume on the other replicas (recovered === true) with nothing lost,
// duplicated or reordered, and the process exits 0.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, waitFor, sleep, getJson } = require('./lib/chaos');

const DRAIN_MS = 3000;
const stack = useChaosStack({ gateways: 3, haproxy: true, gatewayEnv: { PULSE_DRAIN_MS: String(DRAIN_MS) } });

test('SIGTERM drains a gateway: readiness 503 at once, reconnects spread, clients resume elsewhere, exit 0', { timeout: 150000 }, stack.withLogs(async (t) => {
  const load = new Load(stack, { clients: 300, rooms: 100 });
  await load.connect();
  for (const c of load.clients) c.socket.on('disconnect', () => { c.droppedAt ??= Date.now(); });

  let stop = false;
  const publishing = load.publish({ concurrency: 4, pauseMs: 2, until: () => stop });
  await sleep(1000);
  const victim = stack.gateways[0];
  const exited = victim.exit;
  victim.child.kill('SIGTERM');
  const termAt = Date.now();
  await sleep(150);
  const ready = await getJson(`${stack.gatewayUrl(0)}/readyz`);
  const handshake = await fetch(`${stack.gatewayUrl(0)}/socket.io/?EIO=4&transport=polling`).then((r) => r.status);
  const { code, signal } = await exited;
  const exitedAt = Date.now();
  await waitFor('every client connected again', () => load.clients.every((c) => c.socket.connected), { timeoutMs: 30000, intervalMs: 100 });
  await sleep(1500);
  stop = true;
  await publishing;
  await load.settle(30000);

  const moved = load.clients.filter((c) => c.droppedAt);
  const drops = moved.map((c) => c.droppedAt - termAt).sort((a, b) => a - b);
  const notRecovered = moved.filter((c) => c.connectLog[c.connectLog.length - 1].recovered !== true);
  const result = load.account(await stack.outbox());
  report(t, { fault: `gateway SIGTERM (drain ${DRAIN_MS / 1000} s) behind HAProxy`, clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `${moved.length} clients asked to reconnect from +${drops[0]} to +${drops[drops.length - 1]} ms, ${moved.length - notRecovered.length} recovered; exit ${code} after ${exitedAt - termAt} ms` });

  assert.equal(ready.status, 503, 'readiness 503 at once');
  assert.equal(ready.body.draining, true);
  assert.equal(handshake, 503, 'no new sessions while draining');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, victim.tail());
  assert.ok(moved.length > 0, 'the drained replica had clients');
  assert.ok(drops[drops.length - 1] - drops[0] >= DRAIN_MS / 2, `reconnects spread over the drain: ${drops[0]}..${drops[drops.length - 1]} ms`);
  // Both verdicts carry the accounting's details: a client that did not resume usually lost
  // events too, and the two together tell why.
  const details = [...result.details, ...notRecovered.map((c) => `did not resume: ${c.addr} (${c.transport}) connects ${JSON.stringify(c.connectLog.map((l) => [l.t - termAt, l.recovered]))}`)].join('\n');
  assert.equal(notRecovered.length, 0, `clients that did not resume: ${notRecovered.length}\n${details}`);
  assert.deepEqual([result.lost, result.dup, result.outOfOrder, result.phantom], [0, 0, 0, 0], details);
}));
