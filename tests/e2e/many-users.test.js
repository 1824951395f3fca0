'use strict';
// Many users at once: 200 clients over 100 addresses (half WebSocket after the default upgrade,
// half long-polling only), a few hundred events; every client must get exactly the events of its
// address: nothing missing, nothing extra, nothing duplicated, each stream's events in order.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Stack, address, uniqueId, waitFor, sleep, inBatches, getJson } = require('./lib/harness');

const USERS = 100;
const CLIENTS_PER_USER = 2;
const STREAMS = 150;

const stack = new Stack({ gateways: 1 });
before(async () => {
  await stack.start();
  await stack.waitBusReady();
});
after(() => stack.stop());

// What an address must see, built from the requests we make (not from what the server answers).
class Expected {
  constructor() {
    this.byAddress = new Map();
  }
  add(addr, key) {
    if (!this.byAddress.has(addr)) this.byAddress.set(addr, []);
    this.byAddress.get(addr).push(key);
  }
  of(addr) {
    return this.byAddress.get(addr) || [];
  }
  get total() {
    let n = 0;
    for (const list of this.byAddress.values()) n += list.length;
    return n;
  }
}

// One comparable line per event.
function keyOf({ event, payload }) {
  if (event === 'new-stream') return `new-stream ${payload.streamId} ${payload.status} ${payload.amount}`;
  return `balance-update ${payload.address} ${payload.newBalance}`;
}

test('200 clients over 100 addresses each get exactly their events', { timeout: 180000 }, stack.withLogs(async () => {
  const users = Array.from({ length: USERS }, (_, i) => address(`many-${i}`));
  const clients = [];
  for (let i = 0; i < USERS * CLIENTS_PER_USER; i++) {
    const user = users[i % USERS];
    const transports = i < USERS ? ['polling', 'websocket'] : ['polling'];
    clients.push({ user, client: stack.client(stack.publicUrl, { transports }) });
  }
  await inBatches(clients, 50, async ({ user, client }) => {
    await client.connected(20000);
    await client.join(user, 20000);
  });
  const status = (await getJson(`${stack.publicUrl}/ws-status`)).body;
  assert.equal(status.connectedUsers.length, USERS);
  for (const u of users) assert.equal(status.userConnections[u], CLIENTS_PER_USER, `connections of ${u}`);

  // Streams between distinct users; per stream: create, 0-2 withdrawals, and every third canceled.
  const expected = new Expected();
  const streams = Array.from({ length: STREAMS }, (_, k) => ({
    streamId: uniqueId(`s${k}`),
    sender: users[k % USERS],
    receiver: users[(k * 7 + 3) % USERS] === users[k % USERS] ? users[(k + 1) % USERS] : users[(k * 7 + 3) % USERS],
    amount: String(1000000 + k),
    withdrawals: k % 3,
    cancel: k % 3 === 0,
  }));
  let posted = 0;
  await inBatches(streams, 16, async (s) => {
    const post = async (name, body) => {
      const res = await stack.api(name, body);
      assert.equal(res.status, 200, `${name} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`);
      posted++;
    };
    await post('test-stream', { streamId: s.streamId, sender: s.sender, receiver: s.receiver, amount: s.amount });
    const created = `new-stream ${s.streamId} ACTIVE ${s.amount}`;
    expected.add(s.sender, created);
    expected.add(s.receiver, created);
    let withdrawn = 0;
    for (let w = 0; w < s.withdrawals; w++) {
      await post('test-withdrawal', { streamId: s.streamId, amount: '1000' });
      withdrawn += 1000;
      expected.add(s.receiver, `balance-update ${s.receiver} ${withdrawn}`);
    }
    if (s.cancel) {
      await post('test-cancellation', { streamId: s.streamId, toReceiver: '600000', toSender: '400000' });
      const closed = `new-stream ${s.streamId} CANCELED ${Number(s.amount) - 400000}`;
      expected.add(s.sender, closed);
      expected.add(s.receiver, closed);
    }
  });
  assert.ok(posted >= 300, `a few hundred events (${posted})`);

  const deliveries = clients.reduce((n, { user }) => n + expected.of(user).length, 0);
  await waitFor(`${deliveries} deliveries`, () => {
    const got = clients.reduce((n, { client }) => n + client.domainEvents().length, 0);
    return got >= deliveries;
  }, { timeoutMs: 60000, intervalMs: 100 });
  await sleep(500); // room for duplicates or strays to show up

  let missing = 0;
  let extra = 0;
  for (const { user, client } of clients) {
    const got = client.domainEvents().map(keyOf);
    const want = expected.of(user);
    assert.deepEqual([...got].sort(), [...want].sort(), `events of a client of ${user}`);
    // Per stream, the order is the order of the requests (they were sequential per stream).
    const streamOrder = (list) => list.filter((k) => k.startsWith('new-stream')).map((k) => k.split(' ').slice(1, 3).join(' '));
    const byStream = (list) => {
      const m = new Map();
      for (const k of streamOrder(list)) {
        const id = k.split(' ')[0];
        m.set(id, [...(m.get(id) || []), k]);
      }
      return m;
    };
    for (const [id, seq] of byStream(got)) assert.deepEqual(seq, byStream(want).get(id), `order of ${id}`);
    missing += Math.max(0, want.length - got.length);
    extra += Math.max(0, got.length - want.length);
  }
  assert.equal(missing + extra, 0);
}));
