'use strict';
// A gateway SIGKILLed behind HAProxy under load: its clients reconnect through HAProxy to the
// other replicas, present their recovery credential and offset, and resume (socket.recovered)
// with their rooms and exactly the events they missed; nobody loses, duplicates or reorders an
// event answered 200. Presence forgets the dead replica within a few seconds.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useChaosStack, Load, report, waitFor, sleep, getJson } = require('./lib/chaos');

const stack = useChaosStack({ gateways: 3, haproxy: true });

test('gateway SIGKILLed under load: its clients recover on the others, 0 lost', { timeout: 150000 }, stack.withLogs(async (t) => {
  const load = new Load(stack, { clients: 300, rooms: 100 });
  await load.connect();
  const local = async (i) => (await getJson(`${stack.gatewayUrl(i)}/health?scope=local`)).body.connectedUsers;
  const onVictim = await local(0);
  assert.ok(onVictim > 0, 'HAProxy put clients on gateway-1');

  let stop = false;
  const publishing = load.publish({ concurrency: 4, pauseMs: 2, until: () => stop });
  await sleep(1500);
  stack.gateways[0].child.kill('SIGKILL');
  const killedAt = Date.now();
  await sleep(1000);
  await waitFor('every client connected again', () => load.clients.every((c) => c.socket.connected), { timeoutMs: 30000, intervalMs: 100 });
  await sleep(2000);
  stop = true;
  await publishing;
  await load.settle(30000);

  const victims = load.clients.filter((c) => c.connects > 1);
  const reconnectedAt = Math.max(...victims.map((c) => c.connectLog[c.connectLog.length - 1].t));
  const notRecovered = victims.filter((c) => c.connectLog[c.connectLog.length - 1].recovered !== true);
  const result = load.account(await stack.outbox());
  report(t, { fault: 'gateway SIGKILL behind HAProxy (3 replicas), clients recover on the others', clients: result.clients, events: load.ok().length, lost: result.lost, dup: result.dup, outOfOrder: result.outOfOrder, recovery: `${victims.length} clients moved, all back ${reconnectedAt - killedAt} ms after the kill, ${victims.length - notRecovered.length} with recovered === true` });

  assert.ok(victims.length > 0, 'some clients were on the killed replica');
  assert.equal(notRecovered.length, 0, `clients that did not resume: ${notRecovered.length}`);
  assert.deepEqual([result.lost, result.dup, result.outOfOrder, result.phantom], [0, 0, 0, 0], result.details.join('\n'));
  // The survivors' cluster view: every client counted once more, none of the dead replica's.
  const expected = new Map();
  for (const c of load.clients) expected.set(c.addr, (expected.get(c.addr) || 0) + 1);
  await waitFor('the survivors agree on the cluster presence', async () => {
    const [a, b] = await Promise.all([1, 2].map(async (i) => (await getJson(`${stack.gatewayUrl(i)}/ws-status`)).body.userConnections));
    return load.addresses.every((addr) => a[addr] === expected.get(addr) && b[addr] === expected.get(addr));
  }, { timeoutMs: 8000, intervalMs: 200 });
}));
