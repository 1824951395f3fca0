'use strict';
// Cluster-wide presence behind the load balancer (docs/presence.md): /health and /ws-status give
// the same answer from every replica within a second of a join or leave; a SIGKILLed replica
// stops counting within a few seconds; ?scope=local keeps the per-replica view.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { ChaosStack, address, waitFor, getJson } = require('./lib/chaos');

const stack = new ChaosStack({ gateways: 3, haproxy: true });
before(() => stack.start());
after(() => stack.stop());

const status = async (i, scope = '') => (await getJson(`${stack.gatewayUrl(i)}/ws-status${scope}`)).body;
const health = async (i, scope = '') => (await getJson(`${stack.gatewayUrl(i)}/health${scope}`)).body;

// ms until every replica (and HAProxy) shows `expected` connections for `who` (0: absent).
async function converge(who, expected, timeoutMs) {
  const start = Date.now();
  await waitFor(`every replica showing ${who.slice(0, 8)} x${expected}`, async () => {
    const views = await Promise.all([0, 1, 2].filter((i) => stack.gateways[i].alive).map((i) => status(i)));
    views.push((await getJson(`${stack.publicUrl}/ws-status`)).body);
    return views.every((v) => (v.userConnections[who] || 0) === expected && v.connectedUsers.includes(who) === (expected > 0));
  }, { timeoutMs, intervalMs: 20 });
  return Date.now() - start;
}

test('join, leave and a dead replica, seen the same from every replica', { timeout: 60000 }, stack.withLogs(async (t) => {
  const alice = address('presence-alice');
  const bob = address('presence-bob');
  const a = stack.client(stack.gatewayUrl(0), { transports: ['websocket'], reconnection: false });
  const b = stack.client(stack.gatewayUrl(2), { transports: ['polling'], reconnection: false });
  await Promise.all([a.connected(), b.connected()]);

  await a.join(alice);
  const joinMs = await converge(alice, 1, 3000);
  await b.join(alice);
  await b.join(bob);
  const secondMs = await converge(alice, 2, 3000);
  await converge(bob, 1, 3000);
  t.diagnostic(`join visible everywhere after ${joinMs} ms, second socket after ${secondMs} ms`);
  assert.ok(joinMs <= 1000 && secondMs <= 1000, `within ~1 s: ${joinMs}, ${secondMs} ms`);

  // The same answer whichever replica is asked.
  const views = await Promise.all([0, 1, 2].map((i) => status(i)));
  assert.deepEqual(views[1], views[0]);
  assert.deepEqual(views[2], views[0]);
  const healths = await Promise.all([0, 1, 2].map((i) => health(i)));
  assert.deepEqual(healths.map((h) => h.connectedUsers), [2, 2, 2]);
  // The per-replica view stays available.
  assert.deepEqual((await status(0, '?scope=local')).userConnections, { [alice]: 1 });
  assert.deepEqual((await status(1, '?scope=local')).userConnections, {});
  assert.equal((await health(2, '?scope=local')).connectedUsers, 2);

  await a.leave(alice);
  const leaveMs = await converge(alice, 1, 3000);
  t.diagnostic(`leave visible everywhere after ${leaveMs} ms`);
  assert.ok(leaveMs <= 1000, `within ~1 s: ${leaveMs} ms`);

  // gateway-3 (bob, and alice's second socket) dies without a word.
  stack.gateways[2].child.kill('SIGKILL');
  const deadMs = await converge(bob, 0, 10000);
  await converge(alice, 0, 1000);
  t.diagnostic(`a SIGKILLed replica stopped counting after ${deadMs} ms`);
  assert.ok(deadMs <= 5000, `within a few seconds: ${deadMs} ms`);
  assert.deepEqual((await health(0)).connectedUsers, 0);
}));
