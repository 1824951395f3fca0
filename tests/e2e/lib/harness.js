'use strict';
// End-to-end harness: starts the real processes (a fresh database in the given PostgreSQL, the
// lifecycle service, N gateways, HAProxy) on ports picked free at run time, and drives them with
// the real socket.io-client. Every wait is bounded; stop() always leaves no process behind.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const { encodeStrkey } = require('../../node/lib/strkey');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const SOURCE_DIR = process.env.PULSE_SOURCE_DIR || path.resolve(__dirname, '../../..');
const NODE_MODULES = process.env.PULSE_NODE_MODULES || path.join(SOURCE_DIR, 'tests/node/node_modules');
const { io } = require(path.join(NODE_MODULES, 'socket.io-client'));

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (ctest sets it; see tests/e2e/CMakeLists.txt)`);
  return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Polls fn until it returns a truthy value; throws with `what` and the last value after timeoutMs.
async function waitFor(what, fn, { timeoutMs = 10000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (err.fatal) throw err; // e.g. the process we wait for has exited: no point waiting on
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

// ---- Stellar StrKeys: a label's hash as the key, so each test run gets its own rooms ----
function strkey(label, kind = 'G') {
  return encodeStrkey(kind, crypto.createHash('sha256').update(label).digest());
}

const RUN_ID = crypto.randomBytes(4).toString('hex');
const address = (label, kind) => strkey(`${RUN_ID}/${label}`, kind);
const uniqueId = (label) => `${label}-${RUN_ID}-${crypto.randomBytes(3).toString('hex')}`;

// ---- HTTP ------------------------------------------------------------------------------------
// { status, body }: the body parsed as JSON, or its text when it is not JSON.
async function jsonReply(res) {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function getJson(url) {
  return jsonReply(await fetch(url, { signal: AbortSignal.timeout(5000) }));
}

async function postJson(url, payload) {
  return jsonReply(await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10000),
  }));
}

// ---- processes -------------------------------------------------------------------------------
class Proc {
  constructor(name, command, args, env) {
    this.name = name;
    this.output = [];
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) this.output.push(line);
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
      if (process.env.PULSE_E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
      if (process.env.PULSE_E2E_LOG_DIR) fs.appendFileSync(path.join(process.env.PULSE_E2E_LOG_DIR, `${name}.log`), chunk);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve({ code, signal });
      });
      this.child.on('error', (err) => {
        this.output.push(`spawn error: ${err.message}`);
        this.exitCode = -1;
        resolve({ code: -1, signal: null });
      });
    });
  }

  get alive() {
    return this.exitCode === undefined;
  }

  tail(lines = 30) {
    return this.output.slice(-lines).join('\n');
  }

  // SIGTERM (or `signal`), then SIGKILL after graceMs. Resolves with the exit status.
  async stop(signal = 'SIGTERM', graceMs = 10000) {
    if (!this.alive) return { code: this.exitCode, signal: this.exitSignal };
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

async function waitHealthy(proc, url, timeoutMs = 30000) {
  await waitFor(`${proc.name} healthy at ${url}`, async () => {
    if (!proc.alive) {
      throw Object.assign(new Error(`${proc.name} exited (${proc.exitCode ?? proc.exitSignal}):\n${proc.tail()}`), { fatal: true });
    }
    const { status } = await getJson(url);
    return status === 200;
  }, { timeoutMs, intervalMs: 100 });
}

// ---- database: one fresh database per test file, dropped afterwards ---------------------------
function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function createDatabase() {
  const base = requireEnv('DATABASE_URL');
  const name = `pulse_e2e_${RUN_ID}_${crypto.randomBytes(3).toString('hex')}`;
  psql(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => psql(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// ---- the stack ---------------------------------------------------------------------------------
class Stack {
  // gateways: how many replicas; haproxy: put HAProxy in front (public URL = HAProxy's).
  constructor({ gateways = 1, haproxy = false, gatewayEnv = {}, lifecycleEnv = {} } = {}) {
    this.gatewayCount = gateways;
    this.useHaproxy = haproxy;
    this.gatewayEnv = gatewayEnv;
    this.lifecycleEnv = lifecycleEnv;
    this.gateways = [];
    this.clients = new Set();
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-e2e-'));
  }

  async start() {
    this.db = createDatabase();
    this.lifecyclePort = await freePort();
    this.busPort = await freePort();
    this.busEndpoint = `tcp://127.0.0.1:${this.busPort}`;
    this.lifecycleUrl = `http://127.0.0.1:${this.lifecyclePort}`;
    await this.startLifecycle();
    this.gatewayPorts = [];
    for (let i = 0; i < this.gatewayCount; i++) this.gatewayPorts.push(await freePort());
    await Promise.all(this.gatewayPorts.map((_, i) => this.startGateway(i)));
    this.publicUrl = this.gatewayUrl(0);
    if (this.useHaproxy) await this.startHaproxy();
    return this;
  }

  gatewayUrl(i) {
    return `http://127.0.0.1:${this.gatewayPorts[i]}`;
  }

  async startLifecycle() {
    this.lifecycle = new Proc('lifecycle', requireEnv('PULSE_LIFECYCLE_BIN'), [], {
      HOST: '127.0.0.1',
      LIFECYCLE_PORT: String(this.lifecyclePort),
      DATABASE_URL: this.db.url,
      PULSE_BUS_BIND: this.busEndpoint,
      PULSE_TEST_ENDPOINTS: 'on',
      ...this.lifecycleEnv,
    });
    await waitHealthy(this.lifecycle, `${this.lifecycleUrl}/health`);
  }

  async startGateway(i) {
    this.gateways[i] = new Proc(`gateway-${i + 1}`, requireEnv('PULSE_GATEWAY_BIN'), [], {
      HOST: '127.0.0.1',
      PORT: String(this.gatewayPorts[i]),
      PULSE_BUS_CONNECT: this.busEndpoint,
      // Where the gateway fetches events it missed (seq gaps): the lifecycle's replay endpoint.
      PULSE_REPLAY_URL: this.lifecycleUrl,
      FRONTEND_URL: '*',
      // The socket.io-client bundles the gateway serves at /socket.io/socket.io.js.
      PULSE_CLIENT_DIST: path.join(SOURCE_DIR, 'clients/js/node_modules/socket.io-client'),
      // Every test client is 127.0.0.1: the load of hundreds of users, not one abusive address.
      PULSE_MAX_CONNECTIONS_PER_IP: '0',
      // HAProxy in front sends X-Forwarded-For: believe it from there (the per-address limit).
      ...(this.useHaproxy ? { PULSE_TRUSTED_PROXIES: '127.0.0.1' } : {}),
      ...this.gatewayEnv,
    });
    await waitHealthy(this.gateways[i], `${this.gatewayUrl(i)}/health`);
  }

  async startHaproxy() {
    this.haproxyPort = await freePort();
    const cfg = path.join(this.tmp, 'haproxy.cfg');
    const rendered = execFileSync(path.join(SOURCE_DIR, 'deploy/haproxy/render'), [
      `127.0.0.1:${this.haproxyPort}`,
      `127.0.0.1:${this.lifecyclePort}`,
      ...this.gatewayPorts.map((p) => `127.0.0.1:${p}`),
    ]);
    fs.writeFileSync(cfg, rendered);
    this.haproxy = new Proc('haproxy', process.env.HAPROXY_BIN || 'haproxy', ['-db', '-f', cfg], {});
    this.publicUrl = `http://127.0.0.1:${this.haproxyPort}`;
    await waitHealthy(this.haproxy, `${this.publicUrl}/health`);
    // HAProxy marks servers up only after its first checks: wait until the API route works too.
    await waitFor('HAProxy routing /api/* to the lifecycle', async () => {
      const { status } = await postJson(`${this.publicUrl}/api/test/test-withdrawal`, {});
      return status >= 400 && status < 500 && status !== 503;
    }, { timeoutMs: 15000, intervalMs: 200 });
  }

  // POST /api/test/<name> on the lifecycle (or through HAProxy with viaProxy).
  api(name, payload, { viaProxy = false } = {}) {
    const base = viaProxy ? this.publicUrl : this.lifecycleUrl;
    return postJson(`${base}/api/test/${name}`, payload);
  }

  // Proves the bus path of every gateway: a probe client on each replica (directly, not through
  // HAProxy) joins a room and we publish streams until it receives one. ZeroMQ subscriptions
  // become active asynchronously after connect ("slow joiner"), so a test that publishes at once
  // could race them; this waits for the real path instead of sleeping.
  async waitBusReady(timeoutMs = 20000) {
    await Promise.all(this.gatewayPorts.map(async (_, i) => {
      if (!this.gateways[i].alive) return;
      const who = address(`probe-${i}-${crypto.randomBytes(4).toString('hex')}`);
      const client = this.client(this.gatewayUrl(i), { transports: ['websocket'] });
      try {
        await client.connected();
        await client.join(who);
        const deadline = Date.now() + timeoutMs;
        for (let n = 0; ; n++) {
          const streamId = uniqueId(`probe${i}-${n}`);
          const res = await this.api('test-stream', { streamId, sender: who, receiver: address('probe-peer'), amount: '1' });
          if (res.status !== 200) throw new Error(`probe test-stream answered ${res.status} ${JSON.stringify(res.body)}`);
          const got = await client.waitForEvent('new-stream', (p) => p.streamId === streamId, 1000).catch(() => null);
          if (got) return;
          if (Date.now() > deadline) throw new Error(`gateway-${i + 1} received no bus event within ${timeoutMs} ms`);
        }
      } finally {
        client.close();
        this.clients.delete(client);
      }
      // Leave the replica as we found it: tests count users from zero.
      await waitFor(`probe of gateway-${i + 1} gone`, async () => {
        const { body } = await getJson(`${this.gatewayUrl(i)}/ws-status`);
        return body && body.userConnections && !(who in body.userConnections);
      });
    }));
  }

  client(url = this.publicUrl, options = {}) {
    const c = new Client(url, options);
    this.clients.add(c);
    return c;
  }

  async stop() {
    for (const c of this.clients) c.close();
    const procs = [this.haproxy, ...this.gateways, this.lifecycle].filter(Boolean);
    await Promise.all(procs.map((p) => p.stop()));
    try {
      this.db?.drop();
    } catch (err) {
      process.stderr.write(`e2e: could not drop ${this.db.name}: ${err.message}\n`);
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  // Wraps a test body so that a failure carries the last lines of every process.
  withLogs(fn) {
    return async (...args) => {
      try {
        return await fn(...args);
      } catch (err) {
        err.message += `\n${this.logs()}`;
        throw err;
      }
    };
  }

  // The last lines of every process, for a failing assertion's message.
  logs() {
    return [this.lifecycle, ...this.gateways, this.haproxy]
      .filter(Boolean)
      .map((p) => `--- ${p.name} ---\n${p.tail(20)}`)
      .join('\n');
  }
}

// ---- a socket.io-client wrapper that records every event in order ------------------------------
class Client {
  constructor(url, options = {}) {
    this.socket = io(url, { forceNew: true, reconnectionDelayMax: 2000, timeout: 10000, ...options });
    this.events = []; // {event, payload} of server events, in arrival order (all of them)
    this.rooms = new Set(); // addresses to re-join on every (re)connect, like a frontend's reconnect handler
    this.connects = 0;
    this.socket.onAny((event, ...args) => this.events.push({ event, payload: args[0] }));
    this.socket.on('connect', () => {
      this.connects++;
      for (const a of this.rooms) this.socket.emit('join-stream-room', a);
    });
  }

  connected(timeoutMs = 10000) {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connect within ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // Resolves with the first (already received or future) event matching; rejects after timeoutMs.
  waitForEvent(event, match = () => true, timeoutMs = 10000, from = 0) {
    return waitFor(`event ${event}`, () => {
      const hit = this.events.slice(from).find((e) => e.event === event && match(e.payload));
      return hit && hit.payload;
    }, { timeoutMs, intervalMs: 20 });
  }

  // Joins the room of `addr` (and re-joins it after reconnects); waits for joined-room and the ack.
  join(addr, timeoutMs = 10000) {
    this.rooms.add(addr);
    return this.roomRequest('join-stream-room', 'joined-room', addr, timeoutMs);
  }

  leave(addr, timeoutMs = 10000) {
    this.rooms.delete(addr);
    return this.roomRequest('leave-stream-room', 'left-room', addr, timeoutMs);
  }

  // Emits `request` for `addr` with an ack; resolves with the ack once `answer` for it came too.
  async roomRequest(request, answer, addr, timeoutMs) {
    const from = this.events.length;
    const ack = await this.socket.timeout(timeoutMs).emitWithAck(request, addr);
    await this.waitForEvent(answer, (p) => p && p.userAddress === addr, timeoutMs, from);
    return ack;
  }

  // Only the pushed domain events (not the room bookkeeping answers).
  domainEvents() {
    return this.events.filter((e) => e.event === 'new-stream' || e.event === 'balance-update');
  }

  close() {
    this.socket.close();
  }
}

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Limits concurrency: runs fn over items with at most `width` in flight.
async function inBatches(items, width, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

// A Stack started (bus linked) before the calling file's tests and stopped after them.
function useStack(options) {
  const { before, after } = require('node:test');
  const stack = new Stack(options);
  before(async () => {
    await stack.start();
    await stack.waitBusReady();
  });
  after(() => stack.stop());
  return stack;
}

module.exports = {
  Stack, useStack, Client, Proc, address, uniqueId, strkey, encodeStrkey, freePort, waitFor, sleep, getJson, postJson,
  inBatches, ISO_MS_UTC, SOURCE_DIR, NODE_MODULES,
};
