'use strict';
// The chaos suite's harness: the e2e stack (real PostgreSQL of its own, lifecycle, gateways,
// HAProxy) plus what faults need (stopping the database, a proxy per gateway's bus link, lifecycle
// restarts with other settings), a load of real socket.io-client clients over many rooms, and
// per-client accounting against what the lifecycle answered 200 for and what its outbox holds.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { Stack, Proc, address, uniqueId, waitFor, sleep, getJson, postJson, inBatches, freePort } = require('../../e2e/lib/harness');
const { TcpProxy } = require('./tcp-proxy');

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (tests/chaos/CMakeLists.txt sets it)`);
  return value;
}

// ---- the database cluster this test owns (tests/chaos/own-pg.sh) ------------------------------
function pgCtl(...args) {
  const bin = path.join(requireEnv('PULSE_CHAOS_PG_BIN'), 'pg_ctl');
  const cmd = process.getuid && process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd[0], cmd[1], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
}

// mode 'immediate' is a crash (no checkpoint, connections cut); 'fast' a clean stop.
function pgStop(mode = 'immediate') {
  pgCtl('-D', path.join(requireEnv('PULSE_CHAOS_PG_DIR'), 'data'), '-m', mode, '-w', 'stop');
}

// The throwaway cluster runs with synchronous_commit=off for speed; a crash then loses commits
// that were already acknowledged (and published). Tests that crash the database restart it with
// synchronous_commit=on first, as a production database runs.
function pgStart({ synchronousCommit = 'off' } = {}) {
  const dir = requireEnv('PULSE_CHAOS_PG_DIR');
  const port = new URL(requireEnv('DATABASE_URL')).port;
  pgCtl('-D', path.join(dir, 'data'), '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=300 -c fsync=off -c synchronous_commit=${synchronousCommit} -c full_page_writes=off`,
    'start');
}

// ---- the stack, with a proxy on each gateway's bus link when asked -----------------------------
class ChaosStack extends Stack {
  // busProxies: a TcpProxy on each gateway's bus link. Every replica gets the cluster presence
  // link (PULSE_PRESENCE_BIND/PEERS) and one shared PULSE_RECOVERY_KEY, as scripts/run does.
  constructor({ busProxies = false, ...options } = {}) {
    super(options);
    this.busProxies = busProxies;
    this.proxies = [];
    this.recoveryKey = require('node:crypto').randomBytes(24).toString('base64url');
  }

  presencePorts() {
    this.presencePortsPromise ||= Promise.all(Array.from({ length: this.gatewayCount }, () => freePort()));
    return this.presencePortsPromise;
  }

  async startGateway(i) {
    let bus = this.busEndpoint;
    if (this.busProxies) {
      if (!this.proxies[i]) this.proxies[i] = await new TcpProxy(this.busPort).listen();
      bus = `tcp://127.0.0.1:${this.proxies[i].port}`;
    }
    const presence = await this.presencePorts();
    this.gateways[i] = new Proc(`gateway-${i + 1}`, requireEnv('PULSE_GATEWAY_BIN'), [], {
      HOST: '127.0.0.1',
      PORT: String(this.gatewayPorts[i]),
      PULSE_BUS_CONNECT: bus,
      PULSE_REPLAY_URL: this.lifecycleUrl,
      FRONTEND_URL: '*',
      PULSE_PRESENCE_BIND: `tcp://127.0.0.1:${presence[i]}`,
      PULSE_PRESENCE_PEERS: presence.map((p) => `tcp://127.0.0.1:${p}`).join(','),
      PULSE_RECOVERY_KEY: this.recoveryKey,
      // Every test client is 127.0.0.1: hundreds of users, not one abusive address; HAProxy in
      // front sends X-Forwarded-For (as Stack.startGateway does).
      PULSE_MAX_CONNECTIONS_PER_IP: '0',
      ...(this.useHaproxy ? { PULSE_TRUSTED_PROXIES: '127.0.0.1' } : {}),
      ...this.gatewayEnv,
    });
    await waitFor(`gateway-${i + 1} healthy`, async () => {
      if (!this.gateways[i].alive) {
        throw Object.assign(new Error(`gateway-${i + 1} exited:\n${this.gateways[i].tail()}`), { fatal: true });
      }
      return (await getJson(`${this.gatewayUrl(i)}/health`)).status === 200;
    }, { timeoutMs: 30000, intervalMs: 100 });
  }

  async stop() {
    await super.stop();
    await Promise.all(this.proxies.map((p) => p.close()));
  }

  async metric(i, name) {
    const res = await fetch(`${this.gatewayUrl(i)}/metrics`, { signal: AbortSignal.timeout(5000) });
    const m = (await res.text()).match(new RegExp(`^${name} (\\d+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
  }

  // Every event of this database's outbox after `after` (the replay endpoint, paged).
  async outbox(after = 0) {
    const events = [];
    for (;;) {
      const { status, body } = await getJson(`${this.lifecycleUrl}/internal/outbox?after=${after}&limit=1000`);
      if (status !== 200) throw new Error(`outbox read answered ${status}`);
      events.push(...body.events);
      if (!body.hasMore || body.events.length === 0) return events;
      after = body.events[body.events.length - 1].seq;
    }
  }
}

// ---- the load: clients over many rooms, a publisher, the accounting ----------------------------
class Load {
  // clients: how many; rooms: how many addresses (each client joins one, round robin);
  // pollingShare: the part of the clients on HTTP long-polling only.
  constructor(stack, { clients = 300, rooms = 100, pollingShare = 0.2, url, clientOptions = {} } = {}) {
    this.stack = stack;
    this.addresses = Array.from({ length: rooms }, (_, i) => address(`chaos-room-${i}`));
    this.clients = [];
    this.posts = []; // { streamId, sender, receiver, status, seq, sentAt, answeredAt }
    this.clientCount = clients;
    this.pollingShare = pollingShare;
    this.url = url;
    this.clientOptions = clientOptions;
  }

  // Loads of `options.clients` clients on each of the replicas `indexes`, over the same rooms,
  // connected; returns the first with every client in it (the accounting covers them all).
  static async across(stack, indexes, options) {
    const loads = indexes.map((i) => new Load(stack, { ...options, url: stack.gatewayUrl(i) }));
    for (const l of loads.slice(1)) l.addresses = loads[0].addresses;
    await Promise.all(loads.map((l) => l.connect()));
    for (const l of loads.slice(1)) loads[0].clients.push(...l.clients);
    return loads[0];
  }

  async connect() {
    const polling = Math.round(this.clientCount * this.pollingShare);
    this.clients = Array.from({ length: this.clientCount }, (_, i) => {
      const transports = i < polling ? ['polling'] : ['websocket'];
      const c = this.stack.client(this.url || this.stack.publicUrl, { transports, ...this.clientOptions });
      c.addr = this.addresses[i % this.addresses.length];
      c.transport = transports[0];
      c.arrivals = []; // { streamId, t }
      c.connectLog = []; // { t, recovered } per connect
      // With the Engine.IO session each came on: a duplicate's two copies then name their sessions.
      c.socket.on('connect', () => c.connectLog.push({ t: Date.now(), recovered: c.socket.recovered, engine: c.socket.io.engine?.id }));
      c.socket.on('new-stream', (p) => c.arrivals.push({ streamId: p.streamId, t: Date.now(), ts: p.timestamp, engine: c.socket.io.engine?.id }));
      return c;
    });
    await inBatches(this.clients, 50, async (c) => {
      await c.connected(20000);
      await c.join(c.addr, 20000);
    });
  }

  // Posts test-stream events between random rooms: `count` in all or until `until()` says stop,
  // `concurrency` in flight, each request's outcome recorded.
  async publish({ count = Infinity, concurrency = 4, until = () => false, pauseMs = 0, sender } = {}) {
    let n = 0;
    const one = async () => {
      while (n < count && !until()) {
        const i = n++;
        const from = sender || this.addresses[Math.floor(Math.random() * this.addresses.length)];
        let to = this.addresses[Math.floor(Math.random() * this.addresses.length)];
        if (to === from) to = this.addresses[(this.addresses.indexOf(from) + 1) % this.addresses.length];
        const post = { streamId: uniqueId(`c${i}`), sender: from, receiver: to, sentAt: Date.now() };
        this.posts.push(post);
        try {
          const res = await postJson(`${this.stack.lifecycleUrl}/api/test/test-stream`,
            { streamId: post.streamId, sender: from, receiver: to, amount: '1' });
          post.status = res.status;
          post.body = res.body;
          if (res.status === 200) post.seq = res.body.seq;
        } catch (err) {
          post.status = 0; // no answer: the connection broke (the process died)
          post.error = err.message;
        }
        post.answeredAt = Date.now();
        if (pauseMs) await sleep(pauseMs);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, one));
  }

  ok() {
    return this.posts.filter((p) => p.status === 200);
  }

  // Waits until every client concerned has every event answered 200 (bounded), then a short
  // quiet period for late duplicates.
  async settle(timeoutMs = 20000, considered = () => true) {
    const ok = this.ok();
    await waitFor('every 200-answered event at every client that stayed', () => this.clients.filter(considered).every((c) => {
      const got = new Set(c.arrivals.map((a) => a.streamId));
      return ok.every((p) => (p.sender !== c.addr && p.receiver !== c.addr) || got.has(p.streamId));
    }), { timeoutMs, intervalMs: 100 }).catch(() => {});
    await sleep(500);
  }

  // Per-client accounting. `committed`: the outbox's events (for the events whose request got no
  // 200: committed ones may arrive, anything else is a phantom).
  account(committed, considered = () => true) {
    const seqOf = new Map(committed.map((e) => [e.data.streamId, e.seq]));
    const posted = new Map(this.posts.map((p) => [p.streamId, p]));
    const ok = this.ok();
    const out = { clients: 0, expected: 0, received: 0, lost: 0, dup: 0, outOfOrder: 0, phantom: 0, ambiguousDelivered: 0, details: [] };
    for (const c of this.clients.filter(considered)) {
      out.clients++;
      const seen = new Map();
      let lastSeq = 0;
      for (const a of c.arrivals) {
        if (!posted.has(a.streamId)) continue; // not ours (probes)
        seen.set(a.streamId, (seen.get(a.streamId) || 0) + 1);
        const seq = seqOf.get(a.streamId);
        if (seq === undefined) {
          out.phantom++;
          out.details.push(`${c.addr.slice(0, 8)}: received ${a.streamId}, which is not in the outbox`);
          continue;
        }
        if (seq <= lastSeq) {
          out.outOfOrder++;
          if (out.details.length < 20) out.details.push(`${c.addr.slice(0, 8)}: seq ${seq} after ${lastSeq}`);
        }
        lastSeq = Math.max(lastSeq, seq);
        if (posted.get(a.streamId).status !== 200) out.ambiguousDelivered++;
      }
      for (const [id, n] of seen) {
        out.received += n;
        if (n > 1) {
          out.dup += n - 1;
          // When each copy came, beside the client's (re)connects: tells a replay from a live copy.
          const at = c.arrivals.filter((a) => a.streamId === id).map((a) => `${a.t}@${a.engine}`);
          const connects = (c.connectLog || []).map((l) => `${l.t}${l.recovered ? 'r' : ''}@${l.engine}`);
          if (out.details.length < 20) out.details.push(`${c.addr.slice(0, 8)} (${c.transport}, socket ${c.socket.id}): ${id} ${n} times, at ${at.join(',')}; connects ${connects.join(',')}`);
        }
      }
      for (const p of ok) {
        if (p.sender !== c.addr && p.receiver !== c.addr) continue;
        out.expected++;
        if (!seen.has(p.streamId)) {
          out.lost++;
          if (out.details.length < 20) out.details.push(`${c.addr.slice(0, 8)} (${c.transport}, ${c.connects} connects): lost seq ${p.seq}`);
        }
      }
    }
    return out;
  }

  // Seconds after `since` until every client had every 200-answered event posted before `since`
  // (the catch-up time after a fault ended).
  catchUpMs(since, considered = () => true) {
    const ok = this.ok().filter((p) => p.sentAt <= since);
    let worst = 0;
    for (const c of this.clients.filter(considered)) {
      const at = new Map(c.arrivals.map((a) => [a.streamId, a.t]));
      for (const p of ok) {
        if (p.sender !== c.addr && p.receiver !== c.addr) continue;
        const t = at.get(p.streamId);
        if (t !== undefined) worst = Math.max(worst, t - since);
      }
    }
    return worst;
  }
}

// One line of the fault table, printed as a Markdown row (test output) and returned.
function report(t, row) {
  const line = `| ${row.fault} | ${row.clients} | ${row.events} | ${row.lost} | ${row.dup} | ${row.outOfOrder} | ${row.recovery} |`;
  const header = '| fault | clients | events (200) | lost | dup | out of order | recovery |';
  t.diagnostic(`chaos table row:\n${header}\n${line}`);
  process.stdout.write(`CHAOS-ROW ${line}\n`);
  return line;
}

// A ChaosStack started (bus linked) before the calling file's tests and stopped after them;
// `beforeStop` runs first (e.g. to resume a stopped process).
function useChaosStack(options, { beforeStop } = {}) {
  const { before, after } = require('node:test');
  const stack = new ChaosStack(options);
  before(async () => {
    await stack.start();
    await stack.waitBusReady();
  });
  after(async () => {
    if (beforeStop) await beforeStop(stack);
    await stack.stop();
  });
  return stack;
}

module.exports = { ChaosStack, useChaosStack, Load, TcpProxy, pgStop, pgStart, report, waitFor, sleep, getJson, postJson, address, uniqueId };
