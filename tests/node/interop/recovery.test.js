'use strict';
// Connection state recovery with the stock socket.io-client (CONNECTION_STATE_RECOVERY_MS set):
// a client whose transport drops reconnects with its pid and last offset, keeps its socket id and
// rooms without re-joining, and receives exactly the events published while it was away.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { io } = require('socket.io-client');
const { account, startGatewayOnBus, count, emitWithAck, waitForEvent, h } = require('./lib');

let stack;
let bus;
let gateway;

before(async () => {
  stack = await startGatewayOnBus({ CONNECTION_STATE_RECOVERY_MS: '60000', IO_THREADS: '2' });
  ({ bus, gateway } = stack);
});
after(async () => { await stack?.stop(); });

for (const transports of [['websocket'], ['polling']]) {
  test(`a dropped ${transports[0]} client recovers its session and the events it missed`, async () => {
    const alice = account(transports[0] === 'websocket' ? 900 : 901);
    const room = `stream-${alice}`;
    const socket = io(gateway.origin, { transports, forceNew: true, reconnectionDelay: 500, reconnectionDelayMax: 500 });
    socket.received = [];
    socket.onAny((event, ...args) => socket.received.push({ event, args }));
    let connects = 0;
    socket.on('connect', () => { connects++; });
    try {
      await h.waitFor(() => connects === 1, { what: 'first connect' });
      assert.equal(socket.recovered, false);
      const firstId = socket.id;
      await emitWithAck(socket, 'join-stream-room', alice);

      for (let i = 0; i < 50 && count(socket, 'balance-update') === 0; i++) {
        await bus.publish('balance-update', [room], { address: alice, newBalance: 'before', timestamp: 't' });
        await h.sleep(100);
      }
      const before = await waitForEvent(socket, (e) => e.event === 'balance-update');
      assert.equal(before.args.length, 2, 'with recovery on, events carry their offset');
      assert.match(before.args[1], /^interop-.*:\d+$/);
      await h.sleep(200);

      const gone = new Promise((resolve) => socket.once('disconnect', resolve));
      socket.io.engine.close();  // the transport drops; the client will reconnect by itself
      await h.withTimeout(gone, 3000, 'disconnect');
      const missed = { streamId: `missed-${transports[0]}` };
      await bus.publish('new-stream', [room], missed);

      await h.waitFor(() => connects === 2, { timeoutMs: 8000, what: 'the reconnect' });
      assert.equal(socket.recovered, true, 'the session was recovered');
      assert.equal(socket.id, firstId);
      const got = await waitForEvent(socket, (e) => e.event === 'new-stream' && e.args[0].streamId === missed.streamId, 'the missed event');
      assert.deepEqual(got.args[0], missed);

      // Still in its room without joining again; nothing delivered twice.
      const after = { streamId: `after-${transports[0]}` };
      await bus.publish('new-stream', [room], after);
      await waitForEvent(socket, (e) => e.event === 'new-stream' && e.args[0].streamId === after.streamId, 'the next event');
      await h.sleep(200);
      assert.equal(count(socket, 'new-stream'), 2);
      const status = JSON.parse((await h.request(`${gateway.origin}/ws-status`)).body);
      assert.equal(status.userConnections[alice], 1);
    } finally {
      socket.disconnect();
    }
  });
}
