'use strict';
// Abuse limits that count requests, connections and time rather than state, each shown to hold
// for the abusive client while the others are served: join/leave requests per socket and second
// (PULSE_MAX_JOINS_PER_S), Engine.IO sessions per client address (PULSE_MAX_CONNECTIONS_PER_IP,
// X-Forwarded-For believed only from PULSE_TRUSTED_PROXIES), the request head's time and size
// (PULSE_HTTP_HEADER_TIMEOUT_MS, PULSE_HTTP_HEADER_LIMIT), and the status bodies' rendering rate
// (PULSE_STATUS_CACHE_MS). Other client addresses are made with
// the rest of 127.0.0.0/8: a client bound to 127.0.0.2 is another peer to the gateway.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const WebSocket = require('ws');
const { account, useInjector, connectClient, waitForEvent, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const injector = useInjector();

// The value of one series of a counter in a /metrics text (0 when absent).
function metric(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('PULSE_MAX_JOINS_PER_S: joins past the rate get rate-limited, the socket and others carry on', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_JOINS_PER_S: '5' });
  try {
    const eager = await connectClient(gw.origin, { transports: ['websocket'] });
    const calm = await connectClient(gw.origin, { transports: ['websocket'] });
    // 30 joins and leaves at once: whichever one-second windows they fall in, at most 2 x 5 pass.
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      emitWithAck(eager, i % 2 ? 'leave-stream-room' : 'join-stream-room', account(700))));
    const passed = acks.filter((a) => a.ok).length;
    const limited = acks.filter((a) => !a.ok);
    assert.ok(passed >= 5 && passed <= 10, `${passed} of 30 passed`);
    for (const a of limited) assert.deepEqual(a, { ok: false, error: 'rate-limited' });
    const err = await waitForEvent(eager, (e) => e.event === 'room-error', 'room-error');
    assert.deepEqual(err.args[0], { userAddress: account(700), error: 'rate-limited' });
    // Another socket is not limited by it: its joins all pass meanwhile.
    for (let i = 0; i < 5; i++) assert.equal((await emitWithAck(calm, 'join-stream-room', account(710 + i))).ok, true);
    // The limit is a rate: the eager socket is still connected and joins again a second later.
    assert.equal(eager.connected, true);
    await h.sleep(1100);
    assert.equal((await emitWithAck(eager, 'join-stream-room', account(701))).ok, true);
    const metrics = (await h.request(`${gw.origin}/metrics`)).body;
    assert.equal(metric(metrics, 'pulse_gateway_rate_limited_total{limit="joins_per_second"}'), limited.length);
    assert.equal(metric(metrics, 'pulse_gateway_rate_limited_total{limit="rooms_per_socket"}'), 0);
    eager.disconnect();
    calm.disconnect();
  } finally {
    await gw.stop();
  }
});

test('PULSE_MAX_JOINS_PER_S=0 turns the limit off', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_JOINS_PER_S: '0' });
  try {
    const c = await connectClient(gw.origin, { transports: ['websocket'] });
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      emitWithAck(c, i % 2 ? 'leave-stream-room' : 'join-stream-room', account(720))));
    assert.equal(acks.filter((a) => a.ok).length, 40);
    c.disconnect();
  } finally {
    await gw.stop();
  }
});

// A polling handshake to `server` (a gateway or a proxy) from `localAddress` with extra
// headers: { status, body }.
function handshakeFrom(server, localAddress, headers = {}) {
  const http = require('node:http');
  return h.withTimeout(new Promise((resolve, reject) => {
    const req = http.request(`${server.origin}/socket.io/?EIO=4&transport=polling`, { localAddress, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  }), 5000, 'handshake answer');
}

// A direct WebSocket handshake: resolves with the HTTP status (101 when accepted).
function wsHandshakeStatus(gw) {
  return h.withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/socket.io/?EIO=4&transport=websocket`);
    ws.on('open', () => { ws.terminate(); resolve(101); });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('error', reject);
  }), 5000, 'WebSocket handshake answer');
}

test('PULSE_MAX_CONNECTIONS_PER_IP: past it handshakes get 429, a spoofed X-Forwarded-For is ignored, others connect', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_CONNECTIONS_PER_IP: '3' });
  try {
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await connectClient(gw.origin, { transports: ['websocket'] }));
    const refused = await handshakeFrom(gw, '127.0.0.1');
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.body), { code: 4, message: 'Too many connections' });
    assert.equal(await wsHandshakeStatus(gw), 429);
    // The peer is not a trusted proxy (none is configured): its header changes nothing.
    assert.equal((await handshakeFrom(gw, '127.0.0.1', { 'X-Forwarded-For': '198.51.100.1' })).status, 429);
    // Another address connects, and the connected clients are served.
    assert.equal((await handshakeFrom(gw, '127.0.0.2')).status, 200);
    for (const c of clients) assert.equal((await emitWithAck(c, 'join-stream-room', account(800))).ok, true);
    // A session's end frees its slot.
    clients.pop().disconnect();
    await h.waitFor(async () => (await handshakeFrom(gw, '127.0.0.1')).status === 200,
      { timeoutMs: 5000, stepMs: 100, what: 'a slot freed by a disconnect' });
    const metrics = (await h.request(`${gw.origin}/metrics`)).body;
    assert.ok(metric(metrics, 'pulse_gateway_rate_limited_total{limit="connections_per_ip"}') >= 3, metrics);
    for (const c of clients) c.disconnect();
  } finally {
    await gw.stop();
  }
});

test('PULSE_TRUSTED_PROXIES: X-Forwarded-For names the client only when a trusted proxy sent it', async () => {
  const gw = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_CONNECTIONS_PER_IP: '2', PULSE_TRUSTED_PROXIES: '127.0.0.1',
  });
  try {
    const via = (client, from = '127.0.0.1') => handshakeFrom(gw, from, { 'X-Forwarded-For': client });
    // Through the trusted proxy (127.0.0.1) each forwarded client has its own two slots.
    assert.equal((await via('198.51.100.1')).status, 200);
    assert.equal((await via('198.51.100.1')).status, 200);
    assert.equal((await via('198.51.100.1')).status, 429);
    // What a client wrote itself is left of what the proxy appended: the proxy's entry counts.
    assert.equal((await via('203.0.113.50, 198.51.100.1')).status, 429);
    assert.equal((await via('198.51.100.1, 198.51.100.2')).status, 200);
    // The proxy's own (header-less) requests count as the proxy.
    assert.equal((await handshakeFrom(gw, '127.0.0.1')).status, 200);
    // An untrusted peer (127.0.0.4) gets nothing from the header: every spoofed value is the
    // same client, and the forwarded address it names is not charged.
    assert.equal((await via('198.51.100.77', '127.0.0.4')).status, 200);
    assert.equal((await via('198.51.100.78', '127.0.0.4')).status, 200);
    assert.equal((await via('198.51.100.79', '127.0.0.4')).status, 429);
    assert.equal((await via('198.51.100.77')).status, 200);
  } finally {
    await gw.stop();
  }
});

// HAProxy rendered from the deploy template in front of `gw`: { origin, stop() }, or null when
// haproxy is not installed.
async function startHaproxy(gw) {
  const { execFileSync, spawn } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const bin = process.env.HAPROXY_BIN || 'haproxy';
  try { execFileSync(bin, ['-v'], { stdio: 'ignore' }); } catch { return null; }
  const port = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfg, execFileSync(path.resolve(__dirname, '../../../deploy/haproxy/render'),
    [`127.0.0.1:${port}`, '127.0.0.1:1', `127.0.0.1:${gw.port}`]));
  const proc = spawn(bin, ['-db', '-f', cfg], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  await h.waitFor(async () => (await h.request(`${origin}/livez`).catch(() => ({ status: 0 }))).status === 200,
    { timeoutMs: 10000, stepMs: 100, what: 'HAProxy routing to the gateway' });
  return {
    origin,
    async stop() {
      proc.kill('SIGTERM');
      await h.withTimeout(new Promise((r) => proc.once('exit', r)), 5000, 'haproxy exit').catch(() => proc.kill('SIGKILL'));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('behind the deploy HAProxy (option forwardfor, trusted): a client cannot spoof its address', async (t) => {
  const gw = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_MAX_CONNECTIONS_PER_IP: '2', PULSE_TRUSTED_PROXIES: '127.0.0.1',
  });
  const proxy = await startHaproxy(gw);
  try {
    if (!proxy) return t.skip('haproxy is not installed');
    // The client is 127.0.0.2 (not a trusted address); HAProxy appends it after what the client
    // claimed: every request below is the same client, whatever it wrote.
    const through = (spoof) => handshakeFrom(proxy, '127.0.0.2', { 'X-Forwarded-For': spoof });
    assert.equal((await through('198.51.100.1')).status, 200);
    assert.equal((await through('198.51.100.2')).status, 200);
    const refused = await through('198.51.100.3');
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.body), { code: 4, message: 'Too many connections' });
    // Another client through the same proxy has its own slots.
    assert.equal((await handshakeFrom(proxy, '127.0.0.3')).status, 200);
  } finally {
    await proxy?.stop();
    await gw.stop();
  }
});

// A raw TCP connection: write, and learn whether and when the server closed it.
function rawConnection(port) {
  const sock = net.connect(port, '127.0.0.1');
  const state = { data: '', closedAt: 0 };
  sock.on('data', (d) => { state.data += d.toString('latin1'); });
  sock.on('close', () => { state.closedAt = Date.now(); });
  sock.on('error', () => {});
  state.sock = sock;
  state.opened = new Promise((resolve) => sock.once('connect', resolve));
  return state;
}

test('PULSE_HTTP_HEADER_TIMEOUT_MS: a client that drips or withholds its request head is cut; others are served', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_HTTP_HEADER_TIMEOUT_MS: '1000' });
  try {
    const bystander = await connectClient(gw.origin, { transports: ['websocket'] });
    const start = Date.now();
    const silent = rawConnection(gw.port);
    const drip = rawConnection(gw.port);
    await Promise.all([silent.opened, drip.opened]);
    drip.sock.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    // One header line every 200 ms: each arrives long before any per-read timeout would fire.
    for (let i = 0; i < 20 && !drip.closedAt; i++) {
      await h.sleep(200);
      if (!drip.closedAt) drip.sock.write(`X-Drip-${i}: 1\r\n`);
      if (i === 2) {
        assert.equal((await h.request(`${gw.origin}/health`)).status, 200);
        assert.equal((await emitWithAck(bystander, 'join-stream-room', account(900))).ok, true);
      }
    }
    await h.waitFor(() => drip.closedAt && silent.closedAt, { timeoutMs: 3000, what: 'both cut' });
    assert.ok(drip.closedAt - start < 3000, `the dripping client was cut after ${drip.closedAt - start} ms`);
    assert.ok(silent.closedAt - start < 3000, `the silent client was cut after ${silent.closedAt - start} ms`);
    assert.equal(drip.data, '');  // cut, not answered
    // A keep-alive connection may idle between requests longer than the head's timeout.
    const idle = rawConnection(gw.port);
    await idle.opened;
    idle.sock.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await h.sleep(1500);
    assert.equal(idle.closedAt, 0, 'an idle keep-alive connection was cut at the head timeout');
    idle.sock.write('GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await h.waitFor(() => idle.closedAt, { timeoutMs: 3000, what: 'the second answer' });
    assert.equal(idle.data.match(/HTTP\/1\.1 200/g)?.length, 2, idle.data);
    assert.equal(bystander.connected, true);
    const metrics = (await h.request(`${gw.origin}/metrics`)).body;
    assert.equal(metric(metrics, 'pulse_gateway_http_header_timeouts_total'), 2);
    bystander.disconnect();
  } finally {
    await gw.stop();
  }
});

test('PULSE_HTTP_HEADER_LIMIT: a bigger request head gets 431, a smaller one is served', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_HTTP_HEADER_LIMIT: '4096' });
  try {
    const send = async (bytes) => {
      const c = rawConnection(gw.port);
      await c.opened;
      c.sock.write(bytes);
      await h.waitFor(() => c.closedAt, { timeoutMs: 5000, what: 'the answer and the close' });
      return c.data;
    };
    const big = await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 /);
    // The request line first, the oversized header later: still 431 (the line was whole).
    const c = rawConnection(gw.port);
    await c.opened;
    c.sock.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    await h.sleep(100);
    c.sock.write(`X-Big: ${'a'.repeat(5000)}\r\n\r\n`);
    await h.waitFor(() => c.closedAt, { timeoutMs: 5000, what: 'the answer and the close' });
    assert.match(c.data, /^HTTP\/1\.1 431 /);
    const fine = await send(`GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\n`);
    assert.match(fine, /^HTTP\/1\.1 200 /);
  } finally {
    await gw.stop();
  }
});

test('PULSE_STATUS_CACHE_MS: within the window /ws-status and /health serve the last rendering', async () => {
  const gw = await h.startServer(GATEWAY_BIN, { PULSE_BUS_CONNECT: injector.bus.endpoint, PULSE_STATUS_CACHE_MS: '60000' });
  try {
    const c = await connectClient(gw.origin, { transports: ['websocket'] });
    assert.equal((await emitWithAck(c, 'join-stream-room', account(950))).ok, true);
    const first = await h.request(`${gw.origin}/ws-status`);
    const health = await h.request(`${gw.origin}/health`);
    assert.deepEqual(JSON.parse(first.body).connectedUsers, [account(950)]);
    assert.equal((await emitWithAck(c, 'join-stream-room', account(951))).ok, true);
    const second = await h.request(`${gw.origin}/ws-status`);
    assert.equal(second.body, first.body);
    assert.equal((await h.request(`${gw.origin}/health`)).body, health.body);
    // ?scope=local is its own answer, rendered now.
    assert.equal(JSON.parse((await h.request(`${gw.origin}/ws-status?scope=local`)).body).connectedUsers.length, 2);
    const metrics = (await h.request(`${gw.origin}/metrics`)).body;
    assert.equal(metric(metrics, 'pulse_gateway_status_renders_total{route="/ws-status"}'), 2);
    assert.equal(metric(metrics, 'pulse_gateway_status_renders_total{route="/health"}'), 1);
    c.disconnect();
  } finally {
    await gw.stop();
  }
});
