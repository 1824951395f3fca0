'use strict';
// Out of descriptors (EMFILE): a flood of connections that never send a request would hold every
// descriptor until the head timeout. The gateway then closes its oldest connections that have
// not sent a first request head (PULSE_SHED_IDLE_HANDSHAKES), never an established session. The
// head timeout is set to a minute here, so only shedding can let the newcomer in within seconds.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const { execFileSync } = require('node:child_process');
const { account, useInjector, connectClient, waitForEvent, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const injector = useInjector();

function idleConnection(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => resolve(sock));
    sock.on('error', reject);
  });
}

test('out of descriptors: idle handshakes are shed, a newcomer gets in, sessions carry on', async (t) => {
  const gw = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: injector.bus.endpoint,
    PULSE_MAX_CONNECTIONS_PER_IP: '0',
    PULSE_HTTP_HEADER_TIMEOUT_MS: '60000',
    PING_INTERVAL_MS: '300',
    PING_TIMEOUT_MS: '300',
    IO_THREADS: '2',
  });
  const idle = [];
  try {
    const established = await connectClient(gw.origin, { transports: ['websocket'] });
    const user = account(1);
    assert.equal((await emitWithAck(established, 'join-stream-room', user)).ok, true);

    // A little room above what is open now, then more idle connections than that room.
    const open = fs.readdirSync(`/proc/${gw.proc.pid}/fd`).length;
    const limit = open + 40;
    execFileSync('prlimit', [`--pid=${gw.proc.pid}`, `--nofile=${limit}:${limit}`]);
    let closedByServer = 0;
    for (let i = 0; i < 100; i++) {
      const sock = await idleConnection(gw.port);
      sock.on('close', () => closedByServer++);
      idle.push(sock);
    }

    const start = Date.now();
    const newcomer = await connectClient(gw.origin, { transports: ['websocket'] }, { timeoutMs: 3000 });
    t.diagnostic(`newcomer connected in ${Date.now() - start} ms past 100 idle connections (limit ${limit})`);
    assert.equal((await emitWithAck(newcomer, 'join-stream-room', account(2))).ok, true);

    // The session opened before the flood was not shed: it still gets events, and it answered
    // the pings (every 300 ms) meanwhile, or it would have been dropped.
    await h.sleep(1000);
    assert.equal(established.connected, true);
    await injector.bus.publish('balance-update', [`stream-${user}`], { address: user, newBalance: 'after-flood', timestamp: 't' });
    await waitForEvent(established, (e) => e.event === 'balance-update' && e.args[0].newBalance === 'after-flood', 'event after the flood');

    const metrics = (await h.request(`${gw.origin}/metrics`)).body;
    const shed = Number(/pulse_gateway_shed_connections_total (\d+)/.exec(metrics)?.[1]);
    t.diagnostic(`shed ${shed}, idle connections closed by the gateway ${closedByServer}`);
    assert.ok(shed > 0, `pulse_gateway_shed_connections_total ${shed}`);
    assert.ok(closedByServer > 0);
    assert.match(gw.log(), /shedding the oldest connections/);
    established.disconnect();
    newcomer.disconnect();
  } finally {
    for (const s of idle) s.destroy();
    await gw.stop();
  }
});
