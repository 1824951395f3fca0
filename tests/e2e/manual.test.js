'use strict';
// The manual test of the Pulse events, automated against the real processes: connect, join a
// stream room, call the three test endpoints, and check what every socket received.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useStack, address, uniqueId, getJson, waitFor, sleep, ISO_MS_UTC } = require('./lib/harness');

const stack = useStack({ gateways: 1 });

// Payload minus its timestamp, after checking the timestamp's format.
function withoutTimestamp(payload) {
  assert.match(payload.timestamp, ISO_MS_UTC, `timestamp of ${JSON.stringify(payload)}`);
  const { timestamp, ...rest } = payload;
  return rest;
}

// Waits until `client` holds `count` domain events, then a little longer so that a duplicate or
// a stray event would show up too.
async function settle(client, count) {
  await waitFor(`${count} events`, () => client.domainEvents().length >= count, { timeoutMs: 10000 });
  await sleep(300);
  return client.domainEvents();
}

test('join, test-stream, test-withdrawal, test-cancellation: exact payloads, in order, once', { timeout: 60000 }, stack.withLogs(async () => {
  const sender = address('manual-sender');
  const receiver = address('manual-receiver', 'C');
  const streamId = uniqueId('test-stream');

  const before = await getJson(`${stack.publicUrl}/health`);
  assert.equal(before.status, 200);
  assert.equal(before.body.status, 'ok');
  assert.equal(before.body.websocket, true);
  assert.equal(before.body.connectedUsers, 0);
  assert.deepEqual((await getJson(`${stack.publicUrl}/ws-status`)).body, { connectedUsers: [], userConnections: {} });

  const senderSocket = stack.client();
  const receiverSocket = stack.client();
  const receiverSecondTab = stack.client(stack.publicUrl, { transports: ['polling'] });
  const bothRooms = stack.client(); // joined to sender's and receiver's rooms: gets each event once
  const idle = stack.client(); // connected, in no room: gets nothing
  await Promise.all([senderSocket, receiverSocket, receiverSecondTab, bothRooms, idle].map((c) => c.connected()));

  const ack = await senderSocket.join(sender);
  assert.deepEqual(ack, { ok: true, roomName: `stream-${sender}` });
  await receiverSocket.join(receiver);
  await receiverSecondTab.join(receiver);
  await bothRooms.join(sender);
  await bothRooms.join(receiver);
  await bothRooms.join(receiver); // joining twice is harmless
  assert.deepEqual(senderSocket.events.find((e) => e.event === 'joined-room').payload, {
    userAddress: sender,
    roomName: `stream-${sender}`,
  });

  const status = (await getJson(`${stack.publicUrl}/ws-status`)).body;
  assert.deepEqual([...status.connectedUsers].sort(), [sender, receiver].sort());
  assert.deepEqual(status.userConnections, { [sender]: 2, [receiver]: 3 });
  assert.equal((await getJson(`${stack.publicUrl}/health`)).body.connectedUsers, 2);

  const created = await stack.api('test-stream', { streamId, sender, receiver, amount: '1000000000' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.success, true);
  const withdrawn = await stack.api('test-withdrawal', { streamId, amount: '500000000' });
  assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
  const canceled = await stack.api('test-cancellation', { streamId, toReceiver: '750000000', toSender: '250000000' });
  assert.equal(canceled.status, 200, JSON.stringify(canceled.body));

  const active = { streamId, sender, receiver, amount: '1000000000', status: 'ACTIVE' };
  const balance = { address: receiver, newBalance: '500000000' };
  const closed = { streamId, sender, receiver, amount: '750000000', status: 'CANCELED' };
  const expectSender = [['new-stream', active], ['new-stream', closed]];
  const expectReceiver = [['new-stream', active], ['balance-update', balance], ['new-stream', closed]];

  const got = async (client, n) => (await settle(client, n)).map((e) => [e.event, withoutTimestamp(e.payload)]);
  assert.deepEqual(await got(senderSocket, 2), expectSender, stack.logs());
  assert.deepEqual(await got(receiverSocket, 3), expectReceiver);
  assert.deepEqual(await got(receiverSecondTab, 3), expectReceiver);
  assert.deepEqual(await got(bothRooms, 3), expectReceiver);
  // The sender's and the receiver's copies of one event are the same event (same timestamp).
  assert.equal(senderSocket.domainEvents()[0].payload.timestamp, receiverSocket.domainEvents()[0].payload.timestamp);
  assert.deepEqual(idle.events, [], 'a socket in no room receives nothing');

  // Leaving a room stops its events; the other room still delivers.
  const left = await bothRooms.leave(receiver);
  assert.deepEqual(left, { ok: true, roomName: `stream-${receiver}` });
  const second = uniqueId('test-stream');
  assert.equal((await stack.api('test-stream', { streamId: second, sender: receiver, receiver: address('other') })).status, 400,
    'amount is required');
  assert.equal((await stack.api('test-stream', { streamId: second, sender: receiver, receiver: address('other'), amount: '5' })).status, 200);
  await receiverSocket.waitForEvent('new-stream', (p) => p.streamId === second);
  await sleep(300);
  assert.equal(bothRooms.domainEvents().length, 3, 'no event after leaving the room');
  assert.deepEqual(idle.events, []);

  // Disconnects are reflected in /ws-status and /health.
  receiverSecondTab.close();
  senderSocket.close();
  await waitFor('ws-status after two disconnects', async () => {
    const s = (await getJson(`${stack.publicUrl}/ws-status`)).body;
    return s.userConnections[receiver] === 1 && s.userConnections[sender] === 1 && s;
  });
  bothRooms.close();
  await waitFor('sender gone from ws-status', async () => {
    const s = (await getJson(`${stack.publicUrl}/ws-status`)).body;
    return !(sender in s.userConnections) && s.connectedUsers.length === 1 && s;
  });
  assert.deepEqual((await getJson(`${stack.publicUrl}/ws-status`)).body, {
    connectedUsers: [receiver],
    userConnections: { [receiver]: 1 },
  });
  receiverSocket.close();
  idle.close();
  await waitFor('no users left', async () => (await getJson(`${stack.publicUrl}/health`)).body.connectedUsers === 0);
  assert.deepEqual((await getJson(`${stack.publicUrl}/ws-status`)).body, { connectedUsers: [], userConnections: {} });
}));
