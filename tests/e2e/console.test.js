'use strict';
// The Pulse console (/console, PULSE_CONSOLE=on) as a person uses it, in Debian's chromium driven
// by playwright-core, on the one origin (HAProxy: the gateway's /console and /socket.io/, the
// lifecycle's /api/test/*): enter an address, join, fire the three test events with the page's
// buttons, see them arrive live with a latency and the transport; drop the connection and see the
// reconnect counted and the room joined again; a screenshot that shows all of it is checked
// (decoded in the browser: not blank, the event rows' colours present) and kept at
// PULSE_CONSOLE_SCREENSHOT when set (docs/img/console.png in the README is made that way).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Stack, address } = require('./lib/harness');
const { launchChromium } = require('./lib/chromium');

const stack = new Stack({ gateways: 1, haproxy: true, gatewayEnv: { PULSE_CONSOLE: 'on' } });
let browser;

before(async () => {
  await stack.start();
  await stack.waitBusReady();
  browser = await launchChromium({ viewport: { width: 1280, height: 960 } });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stack.stop();
});

// Colour statistics of a PNG, computed by the browser itself from the screenshot's pixels.
async function pixelStats(page, png) {
  return page.evaluate(async (dataUrl) => {
    const img = new Image();
    img.src = dataUrl;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    const top = Math.max(...counts.values());
    const has = (r, g, b) => [...counts.keys()].some((k) => Math.abs((k >> 16) - r) < 24 && Math.abs(((k >> 8) & 255) - g) < 24 && Math.abs((k & 255) - b) < 24);
    return {
      width: img.width, height: img.height, colours: counts.size, dominantShare: top / (data.length / 4),
      accent: has(0x60, 0xa5, 0xfa), green: has(0x34, 0xd3, 0x99),
    };
  }, `data:image/png;base64,${png.toString('base64')}`);
}

test('the console joins, fires the three test events, shows them live with latency and transport, counts a reconnect', { timeout: 120000 }, stack.withLogs(async () => {
  const who = address('console-user', 'C');
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const cspViolations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  const res = await page.goto(`${stack.publicUrl}/console`);
  assert.equal(res.status(), 200);
  assert.equal(await page.title(), 'Pulse console');
  // No inline code: the policy forbids it, and the page's own script and style still apply.
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(15, 23, 42)');

  await page.fill('#target', who);
  await page.click('#join');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'joined');
  assert.equal(await page.textContent('#room'), `stream-${who}`);
  await page.waitForFunction(() => document.getElementById('transport').textContent === 'websocket');

  const rows = () => page.$$eval('#events tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)).reverse());
  await page.click('#fire-stream');
  await page.waitForFunction(() => document.querySelectorAll('#events tr').length === 1);
  await page.click('#fire-withdrawal');
  await page.waitForFunction(() => document.querySelectorAll('#events tr').length === 2);

  // Drop the connection: socket.io-client reconnects, the page joins the room again.
  await page.click('#reconnect');
  await page.waitForFunction(() => document.getElementById('reconnects').textContent === '1');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'joined');
  await page.click('#fire-cancellation');
  await page.waitForFunction(() => document.querySelectorAll('#events tr').length === 3);

  const table = await rows();
  assert.deepEqual(table.map((r) => r[1]), ['new-stream', 'balance-update', 'new-stream']);
  assert.match(table[0][2], / ACTIVE 1000000000 /);
  assert.match(table[1][2], /newBalance 500000000$/);
  assert.match(table[2][2], / CANCELED 750000000 /);
  for (const r of table) {
    const ms = /^(\d+) ms$/.exec(r[3]);
    assert.ok(ms, `latency shown: ${r[3]}`);
    assert.ok(Number(ms[1]) < 5000, `latency ${r[3]} on a local stack`);
    assert.ok(['websocket', 'polling'].includes(r[4]), r[4]);
  }
  assert.equal(await page.textContent('#count'), '3');
  assert.match(await page.textContent('#log'), /POST \/api\/test\/test-cancellation → 200/);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);

  await page.evaluate(() => window.scrollTo(0, 0));
  const png = await page.screenshot({ fullPage: false });
  if (process.env.PULSE_CONSOLE_SCREENSHOT) fs.writeFileSync(process.env.PULSE_CONSOLE_SCREENSHOT, png);
  // Decoded in a blank page: the console's Content-Security-Policy rightly refuses data: images.
  const scratch = await browser.newPage();
  const stats = await pixelStats(scratch, png);
  await scratch.close();
  assert.equal(stats.width, 1280);
  assert.equal(stats.height, 960);
  assert.ok(stats.colours > 200, `a rendered page, not a blank one (${stats.colours} colours)`);
  assert.ok(stats.dominantShare < 0.9, `background covers ${(stats.dominantShare * 100).toFixed(1)}%`);
  assert.ok(stats.accent && stats.green, 'the new-stream (blue) and balance-update (green) rows are visible');
  await page.close();
}));

test('an invalid address is refused by the page itself, a refused join shows room-error, a token names its room', { timeout: 60000 }, stack.withLogs(async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(`${stack.publicUrl}/console`);
  await page.fill('#target', 'hello');
  await page.click('#join');
  assert.equal(await page.textContent('#state'), 'enter a Stellar address or a token');
  // Well-formed to the page's pattern, but its StrKey checksum is wrong: the gateway refuses it.
  const bad = `G${'A'.repeat(55)}`;
  await page.fill('#target', bad);
  await page.click('#join');
  await page.waitForFunction(() => document.getElementById('state').textContent === 'join refused');
  assert.equal(await page.textContent('#events tr td:nth-child(2)'), 'room-error');

  // A token instead of an address: sent as auth: { token }, and its sub (G…:memo form too) names
  // the room. This stack runs without auth, so only the page's side of it is checked here.
  const who = address('console-token');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await page.fill('#target', `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: `${who}:42` })}.c2ln`);
  await page.click('#join');
  await page.waitForFunction((room) => document.getElementById('room').textContent === room, `stream-${who}`);
  await page.close();
}));
