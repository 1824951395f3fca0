'use strict';
// Helpers for the interop tests: the real socket.io-client 4.8.4 against pulse-gateway, fed by a
// real ZeroMQ publisher (pulse-bus-inject). Every wait is bounded.
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { io } = require('socket.io-client');
const h = require('../lib/engine-helpers');
const { encodeStrkey } = require('../lib/strkey');

// --- Stellar account addresses, so tests can make as many users as they need ---
// A valid G... address whose key bytes are derived from `n`.
function account(n) {
  const payload = Buffer.alloc(32);
  payload.writeUInt32BE(n >>> 0, 28);
  payload[0] = 0x5a;
  return encodeStrkey('G', payload);
}

// --- the publisher ---
async function startInjector(bin, { timeoutMs = 5000 } = {}) {
  if (!bin) throw new Error('PULSE_BUS_INJECT_BIN is not set');
  const proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  const queued = [];
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line); else queued.push(line);
  });
  const nextLine = () => h.withTimeout(new Promise((resolve) => {
    if (queued.length) resolve(queued.shift()); else waiting.push(resolve);
  }), timeoutMs, 'pulse-bus-inject output');
  const { endpoint } = JSON.parse(await nextLine());
  let seq = 0;
  const epoch = `interop-${process.pid}-${Date.now()}`;
  return {
    endpoint,
    epoch,
    // Publishes one envelope (next seq) and resolves when the tool has sent it.
    async publish(event, rooms, data) {
      const envelope = { v: 1, epoch, seq: ++seq, event, rooms, data };
      proc.stdin.write(JSON.stringify(envelope) + '\n');
      await nextLine();
      return envelope;
    },
    async publishRaw(line) {
      proc.stdin.write(line + '\n');
      await nextLine();
    },
    async stop() {
      proc.stdin.end();
      await h.withTimeout(new Promise((r) => proc.on('exit', r)), 5000, 'pulse-bus-inject exit')
        .catch(() => proc.kill('SIGKILL'));
    },
  };
}

// --- clients ---
// Connects a socket.io-client and records every event it receives.
async function connectClient(url, options = {}, { timeoutMs = 5000 } = {}) {
  const socket = io(url, { reconnection: false, forceNew: true, ...options });
  socket.received = [];
  // The transport the session started with (the default is polling, upgraded later).
  socket.io.once('open', () => { socket.firstTransport = socket.io.engine.transport.name; });
  socket.onAny((event, ...args) => socket.received.push({ event, args }));
  await h.withTimeout(new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  }), timeoutMs, 'socket.io connect');
  return socket;
}

// Waits until `socket` received an event matching `pred`; returns it.
async function waitForEvent(socket, pred, what = 'event', timeoutMs = 5000) {
  let found;
  await h.waitFor(() => (found = socket.received.find(pred)) !== undefined, { timeoutMs, what });
  return found;
}

function count(socket, event, pred = () => true) {
  return socket.received.filter((r) => r.event === event && pred(r.args)).length;
}

function emitWithAck(socket, event, ...args) {
  return h.withTimeout(new Promise((resolve) => socket.emit(event, ...args, resolve)), 5000, `ack of ${event}`);
}

// A bus injector and a pulse-gateway subscribed to it (`env` added to the gateway's), stopped
// together.
async function startGatewayOnBus(env = {}) {
  const bus = await startInjector(process.env.PULSE_BUS_INJECT_BIN);
  const gateway = await h.startServer(process.env.PULSE_GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint,
    ...env,
  });
  return {
    bus,
    gateway,
    async stop() {
      await gateway.stop();
      await bus.stop();
    },
  };
}

// The bus injector a test file shares: started before its tests, stopped after them. The
// returned object's `bus` is the injector once the tests run.
function useInjector() {
  const { before, after } = require('node:test');
  const shared = {};
  before(async () => {
    shared.bus = await startInjector(process.env.PULSE_BUS_INJECT_BIN);
  });
  after(async () => {
    await shared.bus?.stop();
  });
  return shared;
}

module.exports = {
  account, startInjector, useInjector, startGatewayOnBus, connectClient, waitForEvent, count, emitWithAck, h,
};
