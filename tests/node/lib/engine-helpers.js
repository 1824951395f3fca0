'use strict';
// Shared helpers for black-box tests of the gateway's Engine.IO layer (and anything above it):
// spawn a server binary on a free port, plain HTTP requests with full header control, Engine.IO
// payload codec, and a WebSocket wrapper with an awaitable message queue. Every wait is bounded.
const { spawn } = require('node:child_process');
const http = require('node:http');
const WebSocket = require('ws');

const SEP = '\x1e';

// Starts `bin` with PORT=0 and waits for its {"msg":"listening","port":N} log line on stderr.
async function startServer(bin, env = {}, { timeoutMs = 10000 } = {}) {
  if (!bin) throw new Error('server binary path missing (set the *_BIN environment variable)');
  const proc = spawn(bin, [], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL || 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /"msg":"listening".*?"port":(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${log}`));
    });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    port,
    proc,
    origin: `http://127.0.0.1:${port}`,
    log: () => log,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

// One HTTP request on a fresh connection: { status, headers, body }.
function request(url, { method = 'GET', headers = {}, body, timeoutMs = 5000, agent = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function eioUrl(server, path, query) {
  return `${server.origin}${path}?EIO=4&${query}`;
}

// Decodes a polling body into packets: { type: '4', data: 'text' } or { type: '4', binary: Buffer }.
function decodePayload(body) {
  return body.split(SEP).map((p) => {
    if (p[0] === 'b') return { type: '4', binary: Buffer.from(p.slice(1), 'base64') };
    return { type: p[0], data: p.slice(1) };
  });
}

// Polling handshake: returns { sid, open, response }.
async function handshake(server, path = '/engine.io/', headers = {}) {
  const response = await request(eioUrl(server, path, 'transport=polling'), { headers });
  if (response.status !== 200) throw new Error(`handshake failed: ${response.status} ${response.body}`);
  const [first] = decodePayload(response.body);
  const open = JSON.parse(first.data);
  return { sid: open.sid, open, response };
}

const poll = (server, sid, path = '/engine.io/', opts = {}) =>
  request(eioUrl(server, path, `transport=polling&sid=${encodeURIComponent(sid)}`), opts);
const post = (server, sid, body, path = '/engine.io/', opts = {}) =>
  request(eioUrl(server, path, `transport=polling&sid=${encodeURIComponent(sid)}`), {
    method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', ...(opts.headers || {}) }, ...opts,
  });

// A WebSocket whose messages queue up until a test awaits them.
class TestSocket {
  constructor(url, options = {}) {
    this.ws = new WebSocket(url, options);
    this.queue = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data, isBinary) => {
      const item = isBinary ? { binary: Buffer.from(data) } : { text: data.toString() };
      const w = this.waiters.shift();
      if (w) w(item); else this.queue.push(item);
    });
    this.ws.on('error', () => {});  // surfaced through `closed` / `opened`
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('unexpected-response', (req, res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString() })));
      });
      this.ws.once('error', reject);
    });
  }
  next(timeoutMs = 3000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (item) => { clearTimeout(timer); resolve(item); };
      this.waiters.push(done);
    });
  }
  async nextText(timeoutMs) {
    const m = await this.next(timeoutMs);
    if (m.text === undefined) throw new Error('expected a text frame, got binary');
    return m.text;
  }
  send(data) { this.ws.send(data); }
  close() { this.ws.close(); }
  terminate() { this.ws.terminate(); }
}

function wsUrl(server, path, query) {
  return `ws://127.0.0.1:${server.port}${path}?EIO=4&${query}`;
}

// Bounded sleep / polling until a condition holds.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond, { timeoutMs = 3000, stepMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms); }),
  ]);
}

module.exports = {
  SEP, startServer, request, eioUrl, decodePayload, handshake, poll, post, TestSocket, wsUrl, sleep, waitFor, withTimeout,
};
