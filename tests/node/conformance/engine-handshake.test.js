'use strict';
// Engine.IO v4 conformance (engine.io-protocol v4 spec + the reference server's behaviour):
// handshake, error codes, CORS and origin checks. Runs against engine-echo-server.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/engine-helpers');

const BIN = process.env.ENGINE_ECHO_BIN;
const PATH = '/engine.io/';
let server;       // any origin allowed
let strict;       // FRONTEND_URL=http://allowed.example

before(async () => {
  server = await h.startServer(BIN, {});
  strict = await h.startServer(BIN, { FRONTEND_URL: 'http://allowed.example,http://other.example' });
});
after(async () => {
  await server?.stop();
  await strict?.stop();
});

test('polling handshake: open packet with exactly sid, upgrades, pingInterval, pingTimeout, maxPayload', async () => {
  const res = await h.request(h.eioUrl(server, PATH, 'transport=polling'));
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.equal(res.body[0], '0');
  const open = JSON.parse(res.body.slice(1));
  assert.deepEqual(Object.keys(open), ['sid', 'upgrades', 'pingInterval', 'pingTimeout', 'maxPayload']);
  assert.match(open.sid, /^[A-Za-z0-9_-]{20}$/);
  assert.deepEqual(open.upgrades, ['websocket']);
  assert.equal(open.pingInterval, 300);
  assert.equal(open.pingTimeout, 200);
  assert.equal(open.maxPayload, 1000000);
});

test('every handshake gets its own sid', async () => {
  const sids = new Set();
  for (let i = 0; i < 20; i++) sids.add((await h.handshake(server)).sid);
  assert.equal(sids.size, 20);
});

test('websocket handshake: the open packet is the first message, with no upgrades', async () => {
  const ws = new h.TestSocket(h.wsUrl(server, PATH, 'transport=websocket'));
  await ws.opened;
  const first = await ws.nextText();
  assert.equal(first[0], '0');
  const open = JSON.parse(first.slice(1));
  assert.deepEqual(Object.keys(open), ['sid', 'upgrades', 'pingInterval', 'pingTimeout', 'maxPayload']);
  assert.deepEqual(open.upgrades, []);
  ws.close();
  await ws.closed;
});

async function expectError(res, status, code, message) {
  assert.equal(res.status, status, res.body);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(res.body), { code, message });
}

test('error 0 Transport unknown', async () => {
  await expectError(await h.request(h.eioUrl(server, PATH, 'transport=tobi')), 400, 0, 'Transport unknown');
  await expectError(await h.request(`${server.origin}${PATH}?EIO=4`), 400, 0, 'Transport unknown');
  await expectError(await h.request(h.eioUrl(server, PATH, 'transport=constructor')), 400, 0, 'Transport unknown');
});

test('error 1 Session ID unknown (polling GET, POST and WebSocket)', async () => {
  await expectError(await h.poll(server, 'AAAAAAAAAAAAAAAAAAAA'), 400, 1, 'Session ID unknown');
  await expectError(await h.poll(server, 'not-a-sid'), 400, 1, 'Session ID unknown');
  await expectError(await h.post(server, 'zzzzzzzzzzzzzzzzzzzz', '4x'), 400, 1, 'Session ID unknown');
  const ws = new h.TestSocket(h.wsUrl(server, PATH, 'transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA'));
  const err = await ws.opened.then(() => null, (e) => e);
  assert.ok(err, 'upgrade with an unknown sid must be refused');
  assert.equal(err.status, 400);
  assert.deepEqual(JSON.parse(err.body), { code: 1, message: 'Session ID unknown' });
});

test('error 2 Bad handshake method', async () => {
  await expectError(await h.request(h.eioUrl(server, PATH, 'transport=polling'), { method: 'POST', body: '4x' }), 400, 2, 'Bad handshake method');
  await expectError(await h.request(h.eioUrl(server, PATH, 'transport=polling'), { method: 'PUT', body: '' }), 400, 2, 'Bad handshake method');
});

test('error 3 Bad request: transport=websocket without an upgrade', async () => {
  await expectError(await h.request(h.eioUrl(server, PATH, 'transport=websocket')), 400, 3, 'Bad request');
});

test('error 5 Unsupported protocol version', async () => {
  await expectError(await h.request(`${server.origin}${PATH}?EIO=3&transport=polling`), 400, 5, 'Unsupported protocol version');
  await expectError(await h.request(`${server.origin}${PATH}?transport=polling`), 400, 5, 'Unsupported protocol version');
});

test('unknown path is a JSON 404, the health route answers', async () => {
  const res = await h.request(`${server.origin}/nope`);
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'application/json');
  const health = await h.request(`${server.origin}/health`);
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.body).status, 'ok');
});

test('CORS: allowed origin gets its origin reflected with credentials', async () => {
  const res = await h.request(h.eioUrl(strict, PATH, 'transport=polling'), { headers: { origin: 'http://allowed.example' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['access-control-allow-origin'], 'http://allowed.example');
  assert.equal(res.headers['access-control-allow-credentials'], 'true');
  const other = await h.request(h.eioUrl(strict, PATH, 'transport=polling'), { headers: { origin: 'http://other.example' } });
  assert.equal(other.headers['access-control-allow-origin'], 'http://other.example');
});

test('CORS: preflight OPTIONS', async () => {
  const res = await h.request(h.eioUrl(strict, PATH, 'transport=polling'), {
    method: 'OPTIONS',
    headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers['access-control-allow-origin'], 'http://allowed.example');
  assert.equal(res.headers['access-control-allow-credentials'], 'true');
  assert.match(res.headers['access-control-allow-methods'], /POST/);
  assert.equal(res.headers['access-control-allow-headers'], 'content-type');
  const refused = await h.request(h.eioUrl(strict, PATH, 'transport=polling'), { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers['access-control-allow-origin'], undefined);
});

test('error 4 Forbidden: a foreign origin is refused on polling, POST and WebSocket', async () => {
  const res = await h.request(h.eioUrl(strict, PATH, 'transport=polling'), { headers: { origin: 'http://evil.example' } });
  await expectError(res, 403, 4, 'Forbidden');
  assert.equal(res.headers['access-control-allow-origin'], undefined);
  const { sid } = await h.handshake(strict);
  await expectError(await h.post(strict, sid, '4x', PATH, { headers: { origin: 'http://evil.example' } }), 403, 4, 'Forbidden');
  // Cross-site WebSocket hijacking: the same check on the upgrade.
  const ws = new h.TestSocket(h.wsUrl(strict, PATH, 'transport=websocket'), { origin: 'http://evil.example' });
  const err = await ws.opened.then(() => null, (e) => e);
  assert.ok(err, 'the upgrade must be refused');
  assert.equal(err.status, 403);
  assert.deepEqual(JSON.parse(err.body), { code: 4, message: 'Forbidden' });
  const good = new h.TestSocket(h.wsUrl(strict, PATH, 'transport=websocket'), { origin: 'http://allowed.example' });
  await good.opened;
  assert.equal((await good.nextText())[0], '0');
  good.close();
  await good.closed;
});

test('a request without Origin (non-browser client) is allowed', async () => {
  const res = await h.request(h.eioUrl(strict, PATH, 'transport=polling'));
  assert.equal(res.status, 200);
  assert.equal(res.headers['access-control-allow-origin'], undefined);
});

test('the shared servers stop cleanly on SIGTERM (exit 0: no sanitizer report in ASan builds)', async () => {
  for (const s of [server, strict]) {
    const result = await s.stop();
    assert.deepEqual(result, { code: 0, signal: null }, s.log());
  }
});
