'use strict';
// A real browser (Debian's chromium via playwright-core) with the socket.io-client
// bundle the gateway serves connects to a PULSE_AUTH=jwt gateway with a token minted by npm jose,
// joins its own room, receives an event from the bus, is refused another account's room, and a
// tokenless connect gets connect_error "unauthorized" with code "missing".
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { account, startInjector, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const INJECT_BIN = process.env.PULSE_BUS_INJECT_BIN;
const CHROMIUM = process.env.PULSE_CHROMIUM || '/usr/bin/chromium';
const SECRET = 'browser-test-secret-of-at-least-32-bytes!';
const OWNER = account(4242);
const OTHER = account(4243);
let bus;
let gateway;
let browser;
let profile;

before(async () => {
  bus = await startInjector(INJECT_BIN);
  gateway = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    FRONTEND_URL: '*',
    PULSE_AUTH: 'jwt',
    PULSE_JWT_SECRET: SECRET,
    PULSE_CLIENT_DIST: path.join(__dirname, '..', 'node_modules', 'socket.io-client'),
  });
  const { chromium } = require('playwright-core');
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-auth-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close().catch(() => {});
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
  await gateway?.stop();
  await bus?.stop();
});

test('Chromium connects with a SEP-10 token, gets its own events, is refused others', { timeout: 90000 }, async () => {
  const jose = await import('jose');
  const token = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(OWNER).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(`${gateway.origin}/health`);
  await page.addScriptTag({ url: `${gateway.origin}/socket.io/socket.io.min.js` });

  const refused = await page.evaluate((origin) => new Promise((resolve) => {
    const s = io(origin, { reconnection: false, forceNew: true });
    s.on('connect', () => resolve({ connected: true }));
    s.on('connect_error', (err) => { s.close(); resolve({ message: err.message, data: err.data }); });
  }), gateway.origin);
  assert.deepEqual(refused, { message: 'unauthorized', data: { code: 'missing', reason: 'no token' } });

  const acks = await page.evaluate(({ origin, token, owner, other }) => new Promise((resolve, reject) => {
    const s = io(origin, { auth: { token }, reconnection: false, forceNew: true });
    window.events = [];
    s.onAny((event, ...args) => window.events.push({ event, args }));
    s.on('connect_error', (err) => reject(new Error(err.message)));
    s.on('connect', () => s.emit('join-stream-room', owner, (own) =>
      s.emit('join-stream-room', other, (foreign) => resolve({ own, foreign }))));
  }), { origin: gateway.origin, token, owner: OWNER, other: OTHER });
  assert.deepEqual(acks.own, { ok: true, roomName: `stream-${OWNER}` });
  assert.deepEqual(acks.foreign, { ok: false, error: 'forbidden' });

  // The bus subscription may still be joining (PUB/SUB slow joiner): publish until it arrives.
  let got = false;
  for (let i = 0; i < 50 && !got; i++) {
    await bus.publish('balance-update', [`stream-${OTHER}`], { address: OTHER, newBalance: 'not-yours', timestamp: new Date().toISOString() });
    await bus.publish('balance-update', [`stream-${OWNER}`], { address: OWNER, newBalance: '7', timestamp: new Date().toISOString() });
    await h.sleep(100);
    got = await page.evaluate(() => window.events.some((e) => e.event === 'balance-update'));
  }
  assert.ok(got, 'the browser never received its event');
  const balances = await page.evaluate(() => window.events.filter((e) => e.event === 'balance-update').map((e) => e.args[0].newBalance));
  assert.ok(balances.every((b) => b === '7'), JSON.stringify(balances));
  await page.close();
});
