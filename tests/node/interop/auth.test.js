'use strict';
// PULSE_AUTH=jwt with tokens minted by an independent library (npm jose), against the
// real pulse-gateway and the stock socket.io-client: own room only, every refusal code, the cut
// at expiry, the guarded operations endpoints. Events come from a real ZeroMQ publisher.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { account, startInjector, connectClient, waitForEvent, count, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const INJECT_BIN = process.env.PULSE_BUS_INJECT_BIN;
const SECRET = 'a-shared-sep10-secret-of-at-least-32-bytes';
const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'pulse';
const ADMIN = 'admin-token-for-the-ops-endpoints';
const ALICE = account(1);
const BOB = account(2);

let jose;
let bus;
let gateway;
let es256;  // { privateKey, publicPem }

async function token({ sub = ALICE, alg = 'HS256', key, exp = '1h', iss = ISSUER, aud = AUDIENCE, nbf, iat } = {}) {
  let jwt = new jose.SignJWT({}).setProtectedHeader({ alg, typ: 'JWT' }).setSubject(sub);
  jwt = iat === undefined ? jwt.setIssuedAt() : jwt.setIssuedAt(iat);
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  if (exp !== null) jwt = jwt.setExpirationTime(exp);
  if (nbf !== undefined) jwt = jwt.setNotBefore(nbf);
  return jwt.sign(key || new TextEncoder().encode(SECRET));
}

// The CONNECT_ERROR a client gets for `auth` (fails when it connects instead).
async function refusal(auth) {
  try {
    const s = await connectClient(gateway.origin, { transports: ['websocket'], ...(auth === undefined ? {} : { auth }) });
    s.disconnect();
  } catch (err) {
    return err;
  }
  assert.fail(`connected with ${JSON.stringify(auth)}`);
}

// The value of one sample of the gateway's /metrics (0 when the series is absent).
async function metric(series) {
  const res = await h.request(`${gateway.origin}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  const line = res.body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function syncBus(client, address) {
  for (let i = 0; i < 50 && count(client, 'balance-update') === 0; i++) {
    await bus.publish('balance-update', [`stream-${address}`], { address, newBalance: 'sync', timestamp: new Date().toISOString() });
    await h.sleep(100);
  }
  assert.ok(count(client, 'balance-update') > 0, 'the gateway never received from the bus');
}

before(async () => {
  jose = await import('jose');
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  es256 = { privateKey: pair.privateKey, publicPem: await jose.exportSPKI(pair.publicKey) };
  bus = await startInjector(INJECT_BIN);
  gateway = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    IO_THREADS: '2',
    PULSE_AUTH: 'jwt',
    PULSE_JWT_SECRET: SECRET,
    PULSE_JWT_PUBLIC_KEY: es256.publicPem,
    PULSE_JWT_ISSUER: ISSUER,
    PULSE_JWT_AUDIENCE: AUDIENCE,
    PULSE_JWT_LEEWAY_S: '0',
    PULSE_ADMIN_TOKEN: ADMIN,
  });
});
after(async () => {
  await gateway?.stop();
  await bus?.stop();
});

test('a valid HS256 token joins its own room and receives its events; another room is forbidden', async () => {
  const alice = await connectClient(gateway.origin, { auth: { token: await token() } });
  const ack = await emitWithAck(alice, 'join-stream-room', ALICE);
  assert.deepEqual(ack, { ok: true, roomName: `stream-${ALICE}` });
  await syncBus(alice, ALICE);

  const refused = await emitWithAck(alice, 'join-stream-room', BOB);
  assert.deepEqual(refused, { ok: false, error: 'forbidden' });
  const err = await waitForEvent(alice, (e) => e.event === 'room-error', 'room-error');
  assert.deepEqual(err.args[0], { userAddress: BOB, error: 'forbidden' });
  assert.deepEqual(await emitWithAck(alice, 'leave-stream-room', BOB), { ok: false, error: 'forbidden' });

  await bus.publish('balance-update', [`stream-${BOB}`], { address: BOB, newBalance: 'bob-only', timestamp: new Date().toISOString() });
  await bus.publish('balance-update', [`stream-${ALICE}`], { address: ALICE, newBalance: 'alice', timestamp: new Date().toISOString() });
  await waitForEvent(alice, (e) => e.event === 'balance-update' && e.args[0].newBalance === 'alice', 'own event');
  assert.equal(count(alice, 'balance-update', (a) => a[0].newBalance === 'bob-only'), 0);
  // The socket stays usable after a refusal.
  assert.equal(alice.connected, true);
  alice.disconnect();
});

test('ES256 tokens (the stellar/go webauth algorithm) and SEP-10 G...:memo subjects', async () => {
  const es = await connectClient(gateway.origin, {
    transports: ['websocket'],
    auth: { token: await token({ alg: 'ES256', key: es256.privateKey }) },
  });
  assert.deepEqual(await emitWithAck(es, 'join-stream-room', ALICE), { ok: true, roomName: `stream-${ALICE}` });
  es.disconnect();
  const memo = await connectClient(gateway.origin, { auth: { token: await token({ sub: `${BOB}:1234` }) } });
  assert.deepEqual(await emitWithAck(memo, 'join-stream-room', BOB), { ok: true, roomName: `stream-${BOB}` });
  memo.disconnect();
});

test('every bad token kind is refused with CONNECT_ERROR unauthorized and its code', async () => {
  const now = Math.floor(Date.now() / 1000);
  const other = await jose.generateKeyPair('ES256');
  const cases = [
    ['missing', undefined],
    ['missing', { token: '' }],
    ['malformed', { token: 'not-a-jwt' }],
    ['malformed', { token: 42 }],
    ['malformed', { token: await token({ sub: 'stream-anything' }) }],
    ['malformed', { token: await token({ exp: null }) }],
    ['bad_signature', { token: await token({ key: new TextEncoder().encode('x'.repeat(40)) }) }],
    ['bad_signature', { token: await token({ alg: 'ES256', key: other.privateKey }) }],
    ['expired', { token: await token({ exp: now - 5 }) }],
    ['not_yet_valid', { token: await token({ nbf: now + 600 }) }],
    ['not_yet_valid', { token: await token({ iat: now + 600 }) }],
    ['wrong_issuer', { token: await token({ iss: 'https://evil.example' }) }],
    ['wrong_audience', { token: await token({ aud: 'someone-else' }) }],
    ['algorithm_not_allowed', { token: await token({ alg: 'HS512' }) }],
    ['algorithm_not_allowed', { token: new jose.UnsecuredJWT({ sub: ALICE }).setExpirationTime('1h').encode() }],
  ];
  const codes = [...new Set(cases.map(([code]) => code))];
  const refusedBefore = {};
  for (const code of codes) refusedBefore[code] = await metric(`pulse_gateway_auth_refused_total{code="${code}"}`);
  const failuresBefore = await metric('pulse_gateway_auth_failures_total');
  for (const [code, auth] of cases) {
    const err = await refusal(auth);
    assert.equal(err.message, 'unauthorized', JSON.stringify(auth));
    assert.equal(err.data?.code, code, `${JSON.stringify(auth)} -> ${JSON.stringify(err.data)}`);
    assert.equal(typeof err.data.reason, 'string');
  }
  // Every refused token counts once in the total and once under its code.
  assert.equal(await metric('pulse_gateway_auth_failures_total') - failuresBefore, cases.length);
  for (const code of codes) {
    const expected = cases.filter(([c]) => c === code).length;
    assert.equal(await metric(`pulse_gateway_auth_refused_total{code="${code}"}`) - refusedBefore[code], expected, code);
  }
});

test('a token that expires while connected cuts that socket with a visible reason; others stay', async () => {
  const now = Math.floor(Date.now() / 1000);
  const short = await connectClient(gateway.origin, { auth: { token: await token({ exp: now + 2 }) } });
  const long = await connectClient(gateway.origin, { auth: { token: await token({ sub: BOB }) } });
  await emitWithAck(short, 'join-stream-room', ALICE);
  await emitWithAck(long, 'join-stream-room', BOB);
  const reason = new Promise((resolve) => short.once('disconnect', resolve));
  const expired = await waitForEvent(short, (e) => e.event === 'auth-error', 'auth-error at expiry', 6000);
  assert.deepEqual(expired.args[0], { code: 'expired', reason: 'token expired' });
  assert.equal(await h.withTimeout(reason, 3000, 'disconnect'), 'io server disconnect');
  assert.ok(Date.now() / 1000 >= now + 2 - 0.5, 'cut before exp');
  await bus.publish('balance-update', [`stream-${BOB}`], { address: BOB, newBalance: 'after-cut', timestamp: new Date().toISOString() });
  await waitForEvent(long, (e) => e.event === 'balance-update' && e.args[0].newBalance === 'after-cut', 'event after the cut');
  assert.equal(long.connected, true);
  long.disconnect();
});

test('/ws-status and /metrics need the admin token; /health stays public with counts only', async () => {
  for (const path of ['/ws-status', '/metrics']) {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: ADMIN }]) {
      const res = await h.request(`${gateway.origin}${path}`, { headers });
      assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.ok(JSON.parse(res.body).error);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
  }
  const alice = await connectClient(gateway.origin, { auth: { token: await token() } });
  await emitWithAck(alice, 'join-stream-room', ALICE);
  const status = await h.request(`${gateway.origin}/ws-status`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(status.status, 200);
  assert.deepEqual(JSON.parse(status.body).connectedUsers, [ALICE]);
  const health = await h.request(`${gateway.origin}/health`);
  assert.equal(health.status, 200);
  const body = JSON.parse(health.body);
  assert.equal(body.connectedUsers, 1);
  assert.ok(!health.body.includes(ALICE));
  alice.disconnect();
});

test('with auth on and no admin token /ws-status is off; EdDSA tokens verify', async () => {
  const ed = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const other = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    PULSE_AUTH: 'jwt',
    PULSE_JWT_PUBLIC_KEY: await jose.exportSPKI(ed.publicKey),
  });
  try {
    const res = await h.request(`${other.origin}/ws-status`);
    assert.equal(res.status, 403);
    assert.match(JSON.parse(res.body).error, /PULSE_ADMIN_TOKEN/);
    const s = await connectClient(other.origin, { auth: { token: await token({ alg: 'EdDSA', key: ed.privateKey, iss: null, aud: null }) } });
    assert.deepEqual(await emitWithAck(s, 'join-stream-room', ALICE), { ok: true, roomName: `stream-${ALICE}` });
    s.disconnect();
    // HS256 is not configured on this one.
    let err;
    try {
      await connectClient(other.origin, { auth: { token: await token() } });
    } catch (e) {
      err = e;
    }
    assert.equal(err?.data?.code, 'algorithm_not_allowed');
  } finally {
    await other.stop();
  }
});

test('a gateway with PULSE_AUTH=jwt and no key refuses to start', async () => {
  await assert.rejects(h.startServer(GATEWAY_BIN, { PULSE_AUTH: 'jwt' }, { timeoutMs: 5000 }), /PULSE_JWT_SECRET|exited/);
  await assert.rejects(h.startServer(GATEWAY_BIN, { PULSE_AUTH: 'jwt', PULSE_JWT_SECRET: 'short' }, { timeoutMs: 5000 }), /32 bytes/);
});
