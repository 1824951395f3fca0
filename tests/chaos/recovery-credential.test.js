'use strict';
// Cross-replica connection state recovery, black box: a client whose replica died resumes on
// another one with its credential (pid) and offset, getting its socket id back and exactly the
// events it missed; a forged pid, a pid signed with another deployment's key, the pid of a session
// its client left, and a resume past CONNECTION_STATE_RECOVERY_MS get a fresh session and no replay;
// so does a resume on a replica that started after events the client missed.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { ChaosStack, address, uniqueId, waitFor, sleep } = require('./lib/chaos');

const stacks = [];
after(() => Promise.all(stacks.map((s) => s.stop())));

async function startStack(gatewayEnv = {}) {
  const stack = new ChaosStack({ gateways: 2, gatewayEnv });
  stacks.push(stack);
  await stack.start();
  await stack.waitBusReady();
  return stack;
}

// Engine.IO long-polling by hand: connect to "/" with `auth`, return the CONNECT answer and the
// events that follow it within `waitMs`.
async function rawConnect(url, auth, { waitMs = 800, leave = false } = {}) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = JSON.parse(open.slice(1)).sid;
  await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify(auth)}`, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  // A poll with nothing to send is held open up to pingInterval: cut it after waitMs instead.
  const packets = [];
  for (let polls = 0; polls < 10; polls++) {
    let body;
    try {
      body = await (await fetch(`${base}&sid=${sid}`, { signal: AbortSignal.timeout(waitMs) })).text();
    } catch {
      break; // nothing more within waitMs
    }
    packets.push(...body.split('\x1e').filter((p) => p !== '2' && p !== '6'));
    if (leave && packets.some((p) => p.startsWith('40'))) {
      // Leave the namespace for good (not a dropped transport) before anything else happens.
      await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '41', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
      leave = false;
    }
  }
  const connect = JSON.parse(packets.find((p) => p.startsWith('40')).slice(2));
  const events = packets.filter((p) => p.startsWith('42')).map((p) => JSON.parse(p.slice(2)));
  return { connect, events };
}

// Waits until replica `i` counts `sockets` sockets of `who` from the presence link: a replica
// resumes a socket from what its dead peer last reported there.
async function replicaKnows(stack, i, who, sockets) {
  await waitFor(`replica ${i} knows ${sockets} socket(s) of the client from the presence link`, async () =>
    (await (await fetch(`${stack.gatewayUrl(i)}/ws-status`, { signal: AbortSignal.timeout(2000) })).json())
      .userConnections?.[who] >= sockets, { timeoutMs: 10000, intervalMs: 100 });
}

function foreignPid(sid) {
  const mac = crypto.createHmac('sha256', 'another-deployment-key-0123456789').update(`pulse-recovery-v1:${sid}`).digest('base64url');
  return `${sid}.${mac}`;
}

async function clientWithHistory(stack, who) {
  const c = stack.client(stack.gatewayUrl(0), { transports: ['websocket'], reconnection: false });
  await c.connected();
  await c.join(who);
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const streamId = uniqueId(`seen-${i}`);
    seen.push(streamId);
    assert.equal((await stack.api('test-stream', { streamId, sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  }
  await waitFor('the client got its events', () => seen.every((id) => c.domainEvents().some((e) => e.payload.streamId === id)));
  // socket.io-client keeps these to send them on its next connect; we send them by hand.
  return { c, pid: c.socket._pid, offset: c.socket._lastOffset, id: c.socket.id };
}

test('a client of a dead replica resumes on another with exactly what it missed; forged, foreign and left credentials get nothing', { timeout: 90000 }, async () => {
  const stack = await startStack();
  const who = address('recover-me');
  const { pid, offset, id } = await clientWithHistory(stack, who);
  assert.match(pid, /^[^.]+\.[A-Za-z0-9_-]{43}$/, 'the pid is "<sid>.<HMAC-SHA256 base64url>"');
  assert.equal(pid.split('.')[0], id);

  // The other replica resumes from what the dead one last reported on the presence link: make
  // sure it heard this client's room before the kill (on a loaded machine that can take longer
  // than the three events above).
  await replicaKnows(stack, 1, who, 1);
  stack.gateways[0].child.kill('SIGKILL');
  const missed = [];
  for (let i = 0; i < 3; i++) {
    const streamId = uniqueId(`missed-${i}`);
    missed.push(streamId);
    assert.equal((await stack.api('test-stream', { streamId, sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  }
  await sleep(300);
  const other = stack.gatewayUrl(1);

  const forgedMac = pid.slice(0, -1) + (pid.endsWith('A') ? 'B' : 'A');
  for (const [label, bad] of [['forged', forgedMac], ['foreign', foreignPid(id)], ['no signature', id]]) {
    const r = await rawConnect(other, { pid: bad, offset });
    assert.notEqual(r.connect.sid, id, `${label}: not resumed`);
    assert.deepEqual(r.events, [], `${label}: nothing replayed`);
  }

  const ok = await rawConnect(other, { pid, offset }, { leave: true });
  assert.equal(ok.connect.sid, id, 'resumed with its socket id');
  assert.equal(ok.connect.pid, pid);
  assert.deepEqual(ok.events.map((e) => e[1].streamId), missed, 'exactly the missed events, in order');
  for (const e of ok.events) assert.match(e[2], /^.+:\d+$/, 'each with its offset');

  // The client leaves for good (a namespace disconnect is not a dropped transport): its
  // credential resumes nothing any more, here or elsewhere.
  await sleep(200);
  const again = await rawConnect(other, { pid, offset });
  assert.notEqual(again.connect.sid, id, 'a session that was left does not resume');
  assert.deepEqual(again.events, []);
});

test('past CONNECTION_STATE_RECOVERY_MS: recovered === false and no partial replay', { timeout: 90000 }, async () => {
  const stack = await startStack({ CONNECTION_STATE_RECOVERY_MS: '1500', PULSE_PRESENCE_TIMEOUT_MS: '500' });
  const who = address('too-late');
  const { pid, offset, id } = await clientWithHistory(stack, who);
  stack.gateways[0].child.kill('SIGKILL');
  for (let i = 0; i < 2; i++) {
    assert.equal((await stack.api('test-stream', { streamId: uniqueId(`late-${i}`), sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  }
  await sleep(3000);
  const r = await rawConnect(stack.gatewayUrl(1), { pid, offset });
  assert.notEqual(r.connect.sid, id, 'not resumed');
  assert.deepEqual(r.events, [], 'no partial replay');
});

// Most clients of a quiet wallet have no offset yet (socket.io-client sends one only after its
// first event). Their replica reported the offset at which each room was joined, so another
// replica replays exactly what happened after the join.
test('a client that got no event yet resumes on another replica from its join: what it missed, nothing from before', { timeout: 90000 }, async () => {
  const stack = await startStack({ IO_THREADS: '1' });
  const who = address('quiet');
  const watcher = stack.client(stack.gatewayUrl(0), { transports: ['websocket'], reconnection: false });
  await watcher.connected();
  await watcher.join(who);
  const before = uniqueId('before');
  assert.equal((await stack.api('test-stream', { streamId: before, sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  // Replica 0 (one shard) has delivered it: the quiet client joins after it.
  await waitFor('replica 0 delivered the earlier event', () => watcher.domainEvents().some((e) => e.payload.streamId === before));

  const c = stack.client(stack.gatewayUrl(0), { transports: ['websocket'], reconnection: false });
  await c.connected();
  await c.join(who);
  const { _pid: pid, _lastOffset: offset, id } = c.socket;
  assert.equal(offset, undefined, 'no event reached it: it has no offset to send');
  await replicaKnows(stack, 1, who, 2);
  stack.gateways[0].child.kill('SIGKILL');
  const missed = [];
  for (let i = 0; i < 2; i++) {
    const streamId = uniqueId(`gap-${i}`);
    missed.push(streamId);
    assert.equal((await stack.api('test-stream', { streamId, sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  }
  await sleep(300);
  const ok = await rawConnect(stack.gatewayUrl(1), { pid }, { leave: true });
  assert.equal(ok.connect.sid, id, 'resumed with its socket id, without an offset of its own');
  assert.deepEqual(ok.events.map((e) => e[1].streamId), missed, 'exactly the events after its join, in order');
});

// A replica that has delivered nothing since it started cannot tell what a peer's client missed
// before it subscribed. Here the client's offset is older than two events published while that
// replica was down (the offset the client had if its transport died just before them): resuming
// it there with nothing replayed would lose them silently. The replica holds the connect for the
// bus (nothing is published now) and then starts a fresh session, as without recovery.
test('a replica that started after events it never saw gives a peer\'s client a fresh session, not a silent resume', { timeout: 90000 }, async () => {
  const stack = await startStack();
  await stack.gateways[1].stop('SIGKILL');
  const who = address('behind-new-replica');
  const { pid, offset, id } = await clientWithHistory(stack, who);
  for (let i = 0; i < 2; i++) {
    assert.equal((await stack.api('test-stream', { streamId: uniqueId(`unseen-${i}`), sender: who, receiver: address('peer'), amount: '1' })).status, 200);
  }
  await stack.startGateway(1); // subscribes after those two events; delivers nothing from here on
  await replicaKnows(stack, 1, who, 1);
  stack.gateways[0].child.kill('SIGKILL');
  await sleep(300);
  const r = await rawConnect(stack.gatewayUrl(1), { pid, offset }, { waitMs: 1500 });
  assert.notEqual(r.connect.sid, id, 'not resumed: the replica cannot replay what it never received');
  assert.deepEqual(r.events, [], 'nothing replayed');
});
