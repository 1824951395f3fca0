'use strict';
// A real browser (Debian's chromium, driven by playwright-core) loads a tiny page that uses the
// socket.io-client browser bundle served by the gateway itself (/socket.io/socket.io.min.js, as
// Node's serveClient does), joins a stream room on the gateway from another origin (CORS,
// allowed by FRONTEND_URL) and shows the events it receives. A page from an origin that is not in
// FRONTEND_URL must not get a connection.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Stack, address, uniqueId, freePort } = require('./lib/harness');
const { launchChromium } = require('./lib/chromium');

// The page loads the client bundle from the gateway it talks to (a test-made 127.0.0.1 URL).
const page = (gateway) => `<!doctype html>
<html><head><meta charset="utf-8"><title>pulse</title><script src="${gateway}/socket.io/socket.io.min.js"></script></head>
<body>
<p id="state">loading</p>
<ul id="events"></ul>
<script>
  const params = new URLSearchParams(location.search);
  const socket = io(params.get('gateway'), { reconnection: false });
  const state = document.getElementById('state');
  socket.on('connect', () => { state.textContent = 'connected'; socket.emit('join-stream-room', params.get('address')); });
  socket.on('connect_error', (err) => { state.textContent = 'connect_error'; });
  if (typeof io !== 'function') state.textContent = 'no bundle';
  socket.on('joined-room', (p) => { state.textContent = 'joined ' + p.roomName; });
  socket.on('new-stream', (p) => {
    const li = document.createElement('li');
    li.textContent = p.streamId + ' ' + p.status + ' ' + p.amount;
    document.getElementById('events').appendChild(li);
  });
</script>
</body></html>`;

function servePage(port) {
  const server = http.createServer((req, res) => {
    const gateway = new URL(req.url, 'http://page').searchParams.get('gateway') || '';
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(gateway)) {
      res.writeHead(400);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page(gateway));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let stack;
// `stack` is made in before(): look it up when the test runs.
const withLogs = (fn) => (...args) => stack.withLogs(fn)(...args);
let pages = [];
let browser;
let allowedOrigin;
let foreignOrigin;

before(async () => {
  const allowedPort = await freePort();
  const foreignPort = await freePort();
  allowedOrigin = `http://127.0.0.1:${allowedPort}`;
  foreignOrigin = `http://127.0.0.1:${foreignPort}`;
  pages = [await servePage(allowedPort), await servePage(foreignPort)];
  stack = new Stack({ gateways: 1, gatewayEnv: { FRONTEND_URL: allowedOrigin } });
  await stack.start();
  await stack.waitBusReady();

  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  for (const p of pages) p.close();
  await stack?.stop();
});

test('a browser page joins a room and displays the events pushed to it', { timeout: 90000 }, withLogs(async () => {
  const who = address('browser-user');
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const url = `${allowedOrigin}/?gateway=${encodeURIComponent(stack.publicUrl)}&address=${who}`;
  await page.goto(url);
  await page.waitForFunction((room) => document.getElementById('state').textContent === `joined ${room}`, `stream-${who}`);

  const streamId = uniqueId('browser');
  const res = await stack.api('test-stream', { streamId, sender: who, receiver: address('browser-peer'), amount: '42' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.waitForFunction((id) => document.querySelectorAll('#events li').length > 0 && document.getElementById('events').textContent.includes(id), streamId);
  assert.equal(await page.textContent('#events li'), `${streamId} ACTIVE 42`);

  assert.equal(await page.evaluate(() => document.querySelectorAll('#events li').length), 1, 'displayed once');
  await page.close();
}));

test('a page from an origin outside FRONTEND_URL gets no connection', { timeout: 60000 }, withLogs(async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(`${foreignOrigin}/?gateway=${encodeURIComponent(stack.publicUrl)}&address=${address('intruder')}`);
  await page.waitForFunction(() => document.getElementById('state').textContent !== 'loading');
  assert.equal(await page.textContent('#state'), 'connect_error');
  await page.close();
}));
