'use strict';
// @stellarstream/pulse-client (clients/js, built by the node.clients.build fixture) against the
// real lifecycle and gateway, in Node: connectPulse joins the user's room, onNewStream /
// onBalanceUpdate get exactly the events of that room, every payload the gateway sent validates
// against proto/'s schemas, the room is joined again after the gateway restarts, a token is
// passed through as auth and names the room, and a refused join is reported.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Stack, address, uniqueId, waitFor, sleep, SOURCE_DIR, NODE_MODULES } = require('./lib/harness');

const DIST = path.join(SOURCE_DIR, 'clients/js/dist/index.js');

// ajv over every schema of proto/, by file name.
function schemaValidator() {
  const Ajv2020 = require(path.join(NODE_MODULES, 'ajv/dist/2020'));
  const addFormats = require(path.join(NODE_MODULES, 'ajv-formats'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const dir = path.join(SOURCE_DIR, 'proto');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.schema.json')))
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  return (file, value) => {
    const v = ajv.getSchema(`https://stellarstream.example/pulse/proto/${file}`);
    if (!v(value)) throw new Error(`${file}: ${ajv.errorsText(v.errors)} in ${JSON.stringify(value)}`);
  };
}

const stack = new Stack({ gateways: 1 });
let pulseClient;
let validate;
const connections = [];
before(async () => {
  assert.ok(fs.existsSync(DIST), `${DIST} missing: the node.clients.build test builds it`);
  pulseClient = await import(pathToFileURL(DIST).href);
  validate = schemaValidator();
  await stack.start();
  await stack.waitBusReady();
});
after(async () => {
  for (const c of connections) c.close();
  await stack.stop();
});

function connect(options) {
  const c = pulseClient.connectPulse(stack.publicUrl, {
    ...options,
    socket: { reconnectionDelay: 200, reconnectionDelayMax: 500, ...(options.socket || {}) },
  });
  connections.push(c);
  // Every server event, checked against the contract (proto/events.json names the schema).
  const events = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'proto/events.json'), 'utf8'));
  c.received = [];
  c.socket.onAny((event, payload) => {
    const spec = events.serverToClient[event];
    assert.ok(spec, `the gateway sent ${event}, which proto/events.json does not list`);
    validate(spec.payload, payload);
    c.received.push({ event, payload });
  });
  return c;
}

test('connectPulse joins the room; onNewStream and onBalanceUpdate get that room\'s events, valid per proto/', { timeout: 60000 }, stack.withLogs(async () => {
  const sender = address('client-sender');
  const receiver = address('client-receiver', 'C');
  const a = connect({ address: sender, socket: { transports: ['websocket'] } });
  const b = connect({ address: receiver, socket: { transports: ['polling'] } });
  const joins = [];
  a.onJoined((payload, info) => joins.push({ payload, info }));
  const [ja, jb] = await Promise.all([a.joined(), b.joined()]);
  assert.deepEqual(ja, { userAddress: sender, roomName: `stream-${sender}` });
  assert.deepEqual(jb, { userAddress: receiver, roomName: `stream-${receiver}` });
  assert.equal(a.room, `stream-${sender}`);
  assert.deepEqual(joins.map((j) => [j.info.count, j.info.transport]), [[1, 'websocket']]);

  const streams = [];
  const balances = [];
  const receiverStreams = [];
  a.onNewStream((s) => streams.push(s));
  const stopA = a.onBalanceUpdate((x) => balances.push(x));
  b.onNewStream((s) => receiverStreams.push(s));
  const receiverBalances = [];
  b.onBalanceUpdate((x) => receiverBalances.push(x));

  const streamId = uniqueId('client');
  const created = await stack.api('test-stream', { streamId, sender, receiver, amount: '1000' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const withdrawn = await stack.api('test-withdrawal', { streamId, amount: '400' });
  assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
  await waitFor('events delivered', () => streams.length === 1 && receiverStreams.length === 1 && receiverBalances.length === 1);
  await sleep(300); // a duplicate would show up now
  assert.deepEqual(streams, [created.body.data]);
  assert.deepEqual(receiverStreams, [created.body.data]);
  assert.deepEqual(receiverBalances, [withdrawn.body.data]);
  assert.deepEqual(balances, [], 'balance-update goes to the receiver\'s room only');
  stopA();
  // Both directions of the contract were seen and validated (joined-room, new-stream, balance-update).
  assert.deepEqual([...new Set(b.received.map((e) => e.event))].sort(), ['balance-update', 'joined-room', 'new-stream']);
}));

test('after the gateway restarts, the client reconnects, joins its room again and gets later events', { timeout: 90000 }, stack.withLogs(async () => {
  const who = address('client-restart');
  const c = connect({ address: who, socket: { transports: ['websocket'] } });
  const joins = [];
  c.onJoined((payload, info) => joins.push(info.count));
  await c.joined();
  const streams = [];
  c.onNewStream((s) => streams.push(s));

  await stack.gateways[0].stop('SIGTERM');
  await waitFor('client noticed the disconnect', () => !c.socket.connected, { timeoutMs: 15000 });
  await stack.startGateway(0);
  await waitFor('rejoined after reconnect', () => joins.length === 2, { timeoutMs: 20000 });
  assert.deepEqual(joins, [1, 2]);
  await stack.waitBusReady();

  const streamId = uniqueId('after-restart');
  const res = await stack.api('test-stream', { streamId, sender: who, receiver: address('client-restart-peer'), amount: '7' });
  assert.equal(res.status, 200);
  await waitFor('event after the restart', () => streams.some((s) => s.streamId === streamId), { timeoutMs: 10000 });
  assert.equal(streams.filter((s) => s.streamId === streamId).length, 1);
}));

test('a token is passed as auth: { token } and its sub names the room', { timeout: 30000 }, stack.withLogs(async () => {
  const who = address('client-token');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  // The gateway of this stack runs without auth, so the signature is not checked here; what is
  // checked is what the package sends and which room it joins.
  const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: `${who}:1234`, exp: 4102444800 })}.c2ln`;
  assert.equal(pulseClient.addressFromToken(token), who);
  const c = connect({ token });
  assert.deepEqual(c.socket.auth, { token });
  assert.equal(c.address, who);
  assert.deepEqual(await c.joined(), { userAddress: who, roomName: `stream-${who}` });
  assert.throws(() => pulseClient.connectPulse(stack.publicUrl, {}), TypeError);
}));

test('a refused join is reported through onError with the gateway\'s reason', { timeout: 30000 }, stack.withLogs(async () => {
  const c = connect({ address: 'GNOTANADDRESS' });
  const errors = [];
  c.onError((e) => errors.push(e));
  await waitFor('room error reported', () => errors.length > 0);
  assert.equal(errors[0].kind, 'room-error');
  assert.match(errors[0].message, /invalid Stellar address/);
  const roomErrors = c.received.filter((e) => e.event === 'room-error');
  assert.equal(roomErrors.length, 1);
  assert.equal(roomErrors[0].payload.userAddress, 'GNOTANADDRESS');
}));
