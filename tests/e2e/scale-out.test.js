'use strict';
// Scale-out: three gateway replicas behind HAProxy (the config scripts/run and compose use).
// Clients with default transports (polling, then upgrade) and polling-only clients are spread over
// the replicas; every event reaches every joined client whichever replica holds it. Then one
// replica is killed: its clients reconnect through HAProxy to another, re-join, and receive what is
// published after that.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Stack, address, uniqueId, getJson, waitFor, sleep, inBatches } = require('./lib/harness');

const USERS = 30;
const stack = new Stack({ gateways: 3, haproxy: true });
let users;
let clients;

before(async () => {
  await stack.start();
  await stack.waitBusReady();
  users = Array.from({ length: USERS }, (_, i) => address(`scale-${i}`));
  clients = [];
  for (let i = 0; i < USERS * 2; i++) {
    // Even: default transports (polling then WebSocket upgrade). Odd: long-polling only, which
    // fails at once without sticky sessions (every request must reach the session's replica).
    const transports = i % 2 === 0 ? ['polling', 'websocket'] : ['polling'];
    clients.push({ user: users[i % USERS], transports, client: stack.client(stack.publicUrl, { transports }) });
  }
  await inBatches(clients, 20, async ({ user, client }) => {
    await client.connected(20000);
    await client.join(user, 20000);
  });
});
after(() => stack.stop());

// Users per replica, asked of each replica directly.
async function usersPerReplica() {
  return Promise.all(stack.gatewayPorts.map(async (_, i) => {
    if (!stack.gateways[i].alive) return null;
    return (await getJson(`${stack.gatewayUrl(i)}/ws-status`)).body.userConnections;
  }));
}

function socketsOn(status) {
  return status ? Object.values(status).reduce((a, b) => a + b, 0) : 0;
}

// Publishes one new stream per user (user -> next user) and checks that every client receives
// exactly the streams of its user, once.
async function publishAndCheck(label) {
  const streamIds = new Map(); // user -> streamIds it must see
  const sent = [];
  await inBatches(users, 8, async (sender, k) => {
    const receiver = users[(k + 1) % USERS];
    const streamId = uniqueId(`${label}-${k}`);
    // Through HAProxy: /api/* is routed to the lifecycle.
    const res = await stack.api('test-stream', { streamId, sender, receiver, amount: '100' }, { viaProxy: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const u of [sender, receiver]) streamIds.set(u, [...(streamIds.get(u) || []), streamId]);
    sent.push(streamId);
  });
  const mine = new Set(sent);
  const of = (client) => client.domainEvents().filter((e) => mine.has(e.payload.streamId)).map((e) => e.payload.streamId);
  await waitFor(`every client got its ${label} events`, () =>
    clients.every(({ user, client }) => of(client).length >= streamIds.get(user).length), { timeoutMs: 30000, intervalMs: 100 });
  await sleep(500);
  for (const { user, client, transports } of clients) {
    assert.deepEqual(of(client).sort(), [...streamIds.get(user)].sort(), `${label}: client of ${user} (${transports})`);
  }
}

test('clients are spread over the three replicas, with polling sessions kept sticky', stack.withLogs(async () => {
  const perReplica = await usersPerReplica();
  const counts = perReplica.map(socketsOn);
  assert.equal(counts.reduce((a, b) => a + b, 0), clients.length, `sockets per replica ${counts}`);
  for (const c of counts) assert.ok(c > 0, `every replica holds clients: ${counts}`);
  const upgraded = clients.filter(({ transports, client }) => transports.length === 2 && client.socket.io.engine.transport.name === 'websocket');
  assert.ok(upgraded.length > 0, 'default-transport clients upgraded to WebSocket through HAProxy');
  assert.ok(clients.filter(({ transports }) => transports.length === 1).every(({ client }) => client.socket.io.engine.transport.name === 'polling'));
}));

test('every event reaches every joined client, whichever replica holds it', { timeout: 60000 }, stack.withLogs(async () => {
  await publishAndCheck('spread');
}));

test('a killed replica: its clients reconnect through HAProxy, re-join, and get later events', { timeout: 90000 }, stack.withLogs(async () => {
  const counts = (await usersPerReplica()).map(socketsOn);
  const victim = counts.indexOf(Math.max(...counts));
  const connectsBefore = clients.map(({ client }) => client.connects);
  const result = await stack.gateways[victim].stop('SIGKILL');
  assert.equal(result.signal, 'SIGKILL');

  // Each of its clients notices (WebSocket close, or a poll answered by another replica with
  // "Session ID unknown"), reconnects through HAProxy to a live replica and re-joins its room.
  const moved = () => clients.filter(({ client }, i) => client.connects > connectsBefore[i]).length;
  await waitFor(`the ${counts[victim]} clients of gateway-${victim + 1} reconnected`,
    () => moved() >= counts[victim] && clients.every(({ client }) => client.socket.connected),
    { timeoutMs: 40000, intervalMs: 200 });
  assert.equal(moved(), counts[victim], 'exactly the clients of the killed replica reconnected');
  await waitFor('the survivors hold every socket and room again', async () => {
    const total = (await usersPerReplica()).map(socketsOn).reduce((a, b) => a + b, 0);
    return total === clients.length;
  }, { timeoutMs: 20000, intervalMs: 200 });
  assert.equal(socketsOn((await usersPerReplica())[victim]), 0);

  await publishAndCheck('after-kill');
  // Nothing from before the kill was delivered twice.
  for (const { client } of clients) {
    const ids = client.domainEvents().map((e) => e.payload.streamId);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate events');
  }
}));
