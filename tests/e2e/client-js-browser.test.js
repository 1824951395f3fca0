'use strict';
// @stellarstream/pulse-client in a real browser (Debian's chromium via playwright-core): a page on
// an origin listed in FRONTEND_URL imports the package's build (clients/js/dist, ES modules) and
// resolves its `socket.io-client` import with an import map to the gateway's own
// /socket.io/socket.io.esm.min.js. connectPulse joins the room, onNewStream / onBalanceUpdate show
// the pushed events, and after the connection drops the room is joined again and later events
// still arrive.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Stack, address, uniqueId, freePort, SOURCE_DIR } = require('./lib/harness');
const { launchChromium } = require('./lib/chromium');

const DIST = path.join(SOURCE_DIR, 'clients/js/dist');

const page = (gateway, who) => `<!doctype html>
<html><head><meta charset="utf-8"><title>pulse-client</title>
<script type="importmap">{"imports":{"socket.io-client":"${gateway}/socket.io/socket.io.esm.min.js"}}</script>
</head><body>
<p id="state">loading</p><p id="joins">0</p><p id="transport"></p>
<ul id="streams"></ul><ul id="balances"></ul><ul id="errors"></ul>
<script type="module">
  import { connectPulse } from '/pulse-client/index.js';
  const add = (id, text) => { const li = document.createElement('li'); li.textContent = text; document.getElementById(id).appendChild(li); };
  const pulse = connectPulse(${JSON.stringify(gateway)}, { address: ${JSON.stringify(who)}, socket: { reconnectionDelay: 200, reconnectionDelayMax: 500 } });
  window.pulse = pulse;
  pulse.onJoined((p, info) => {
    document.getElementById('state').textContent = 'joined ' + p.roomName;
    document.getElementById('joins').textContent = String(info.count);
    document.getElementById('transport').textContent = info.transport;
  });
  pulse.onNewStream((s) => add('streams', s.streamId + ' ' + s.status + ' ' + s.amount));
  pulse.onBalanceUpdate((b) => add('balances', b.address + ' ' + b.newBalance));
  pulse.onError((e) => add('errors', e.kind + ': ' + e.message));
</script>
</body></html>`;

function servePage(port, gatewayRef) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://page');
    if (url.pathname.startsWith('/pulse-client/')) {
      const file = path.join(DIST, path.basename(url.pathname));
      if (!file.endsWith('.js') || !fs.existsSync(file)) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(fs.readFileSync(file));
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page(gatewayRef.url, url.searchParams.get('address')));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let stack;
const withLogs = (fn) => (...args) => stack.withLogs(fn)(...args);
const gatewayRef = {};
let pageServer;
let browser;
let origin;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.js')), 'clients/js/dist is built by node.clients.build');
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  pageServer = await servePage(port, gatewayRef);
  stack = new Stack({ gateways: 1, gatewayEnv: { FRONTEND_URL: origin } });
  await stack.start();
  await stack.waitBusReady();
  gatewayRef.url = stack.publicUrl;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  pageServer?.close();
  await stack?.stop();
});

test('connectPulse in Chromium: joins, shows pushed events, rejoins after the connection drops', { timeout: 90000 }, withLogs(async () => {
  const who = address('browser-client', 'C');
  const p = await browser.newPage();
  p.setDefaultTimeout(15000);
  const pageErrors = [];
  p.on('pageerror', (e) => pageErrors.push(e.message));
  await p.goto(`${origin}/?address=${who}`);
  await p.waitForFunction((room) => document.getElementById('state').textContent === `joined ${room}`, `stream-${who}`);
  assert.equal(await p.textContent('#joins'), '1');

  const streamId = uniqueId('browser-client');
  const sender = address('browser-client-sender');
  assert.equal((await stack.api('test-stream', { streamId, sender, receiver: who, amount: '900' })).status, 200);
  assert.equal((await stack.api('test-withdrawal', { streamId, amount: '300' })).status, 200);
  await p.waitForFunction(() => document.querySelectorAll('#streams li').length === 1 && document.querySelectorAll('#balances li').length === 1);
  assert.equal(await p.textContent('#streams li'), `${streamId} ACTIVE 900`);
  assert.equal(await p.textContent('#balances li'), `${who} 300`);

  // The network drops (the engine closes): socket.io-client reconnects, the package joins again.
  await p.evaluate(() => window.pulse.socket.io.engine.close());
  await p.waitForFunction(() => document.getElementById('joins').textContent === '2');
  assert.equal((await stack.api('test-cancellation', { streamId, toReceiver: '800', toSender: '100' })).status, 200);
  await p.waitForFunction(() => document.querySelectorAll('#streams li').length === 2);
  assert.equal(await p.textContent('#streams li:nth-child(2)'), `${streamId} CANCELED 800`);
  assert.equal(await p.$$eval('#errors li', (l) => l.length), 0);
  assert.deepEqual(pageErrors, []);
  await p.close();
}));
