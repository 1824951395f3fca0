'use strict';
// @stellarstream/pulse-client against a gateway with PULSE_AUTH=jwt (HS256, a secret made here):
// a real SEP-10-style token passed as connectPulse(url, { token }) connects, names and joins its
// account's room and gets that room's events; refused tokens come back through onError with the
// gateway's refusal code; a token that expires while connected ends with an auth-error. The
// console (in Chromium) joins with a token and shows a forged one as refused.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Stack, address, uniqueId, waitFor, SOURCE_DIR, NODE_MODULES } = require('./lib/harness');

const DIST = path.join(SOURCE_DIR, 'clients/js/dist/index.js');
const SECRET = crypto.randomBytes(32).toString('hex');

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(claims, secret = SECRET) {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);

// The refusal data and the auth-error payload, checked against proto/ (ajv).
function schemaCheck(file, value) {
  const Ajv2020 = require(path.join(NODE_MODULES, 'ajv/dist/2020'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const dir = path.join(SOURCE_DIR, 'proto');
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.schema.json')))
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  const v = ajv.getSchema(`https://stellarstream.example/pulse/proto/${file}`);
  assert.ok(v(value), `${file}: ${ajv.errorsText(v.errors)} in ${JSON.stringify(value)}`);
}

const stack = new Stack({
  gateways: 1,
  gatewayEnv: { PULSE_AUTH: 'jwt', PULSE_JWT_SECRET: SECRET, PULSE_JWT_LEEWAY_S: '0', PULSE_CONSOLE: 'on' },
});
let pulseClient;
const connections = [];
before(async () => {
  pulseClient = await import(pathToFileURL(DIST).href);
  await stack.start();
});
after(async () => {
  for (const c of connections) c.close();
  await stack.stop();
});

function connect(options) {
  const c = pulseClient.connectPulse(stack.publicUrl, { ...options, socket: { transports: ['websocket'], reconnection: false } });
  connections.push(c);
  c.errors = [];
  c.onError((e) => c.errors.push(e));
  return c;
}

test('a valid token connects, joins its account\'s room and gets its events', { timeout: 60000 }, stack.withLogs(async () => {
  const who = address('auth-user');
  const c = connect({ token: token({ sub: `${who}:7`, iat: now(), exp: now() + 600 }) });
  assert.equal(c.address, who);
  assert.deepEqual(await c.joined(), { userAddress: who, roomName: `stream-${who}` });
  const streams = [];
  c.onNewStream((s) => streams.push(s));
  // The bus subscription becomes active shortly after start: publish until one arrives.
  await waitFor('an event in the authenticated room', async () => {
    const streamId = uniqueId('auth');
    const res = await stack.api('test-stream', { streamId, sender: who, receiver: address('auth-peer'), amount: '5' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await new Promise((r) => setTimeout(r, 300));
    return streams.some((s) => s.streamId === streamId);
  }, { timeoutMs: 20000, intervalMs: 0 });
  assert.deepEqual(c.errors, []);

  // Another account's room: refused by the gateway, reported through the negative ack.
  const other = address('auth-other');
  const ack = await c.socket.timeout(5000).emitWithAck('join-stream-room', other);
  assert.equal(ack.ok, false);
  schemaCheck('room-ack.schema.json', ack);
}));

test('refused tokens reach onError with the gateway\'s code', { timeout: 60000 }, stack.withLogs(async () => {
  const who = address('auth-refused');
  const cases = [
    [token({ sub: who, exp: now() + 600 }, 'another secret, not the gateway one'), 'bad_signature'],
    [token({ sub: who, exp: now() - 60 }), 'expired'],
  ];
  for (const [t, code] of cases) {
    const c = connect({ token: t });
    await waitFor(`refusal ${code}`, () => c.errors.length > 0);
    assert.equal(c.errors[0].kind, 'connect-error');
    assert.equal(c.errors[0].message, 'unauthorized');
    assert.equal(c.errors[0].authCode, code);
    schemaCheck('auth-refusal.schema.json', c.errors[0].detail);
  }
  // No token at all: the address option alone does not get in.
  const anonymous = connect({ address: who });
  await waitFor('refusal missing', () => anonymous.errors.length > 0);
  assert.equal(anonymous.errors[0].authCode, 'missing');
}));

test('a token that expires while connected ends with an auth-error', { timeout: 60000 }, stack.withLogs(async () => {
  const who = address('auth-expiring');
  const c = connect({ token: token({ sub: who, exp: now() + 3 }) });
  await c.joined();
  await waitFor('auth-error', () => c.errors.some((e) => e.kind === 'auth-error'), { timeoutMs: 15000 });
  const err = c.errors.find((e) => e.kind === 'auth-error');
  assert.equal(err.authCode, 'expired');
  schemaCheck('auth-error.schema.json', err.detail);
  await waitFor('disconnected by the server', () => !c.socket.connected, { timeoutMs: 5000 });
}));

test('the console with a token: joins the token\'s room; a forged token is shown as refused', { timeout: 90000 }, stack.withLogs(async () => {
  const os = require('node:os');
  const { chromium } = require(path.join(NODE_MODULES, 'playwright-core'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PULSE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const who = address('console-auth');
    const page = await browser.newPage();
    page.setDefaultTimeout(15000);
    await page.goto(`${stack.publicUrl}/console`);
    await page.fill('#target', token({ sub: who, exp: now() + 600 }));
    await page.click('#join');
    await page.waitForFunction(() => document.getElementById('state').textContent === 'joined');
    assert.equal(await page.textContent('#room'), `stream-${who}`);

    await page.fill('#target', token({ sub: who, exp: now() + 600 }, 'forged'));
    await page.click('#join');
    await page.waitForFunction(() => document.getElementById('state').textContent.startsWith('connect error'));
    assert.equal(await page.textContent('#state'), 'connect error: unauthorized');
    assert.match(await page.textContent('#log'), /"code":"bad_signature"/);
  } finally {
    await browser.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}));
