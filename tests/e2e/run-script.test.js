'use strict';
// scripts/run, the README's first command, as a user runs it (with --no-build on the binaries
// ctest built): a throwaway PostgreSQL, the lifecycle, 2 gateways behind HAProxy, the printed
// curl lines work through HAProxy, a second run refuses clearly, SIGTERM stops every process it
// started (exit 0) and removes the throwaway cluster.
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Proc, Client, freePort, waitFor, getJson, postJson, sleep, strkey, SOURCE_DIR } = require('./lib/harness');

const SCRIPT = path.join(SOURCE_DIR, 'scripts/run');
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-run-'));
const children = [];
after(async () => {
  for (const c of children) await c.stop('SIGKILL');
  fs.rmSync(runDir, { recursive: true, force: true });
});

const canBind = (port) => new Promise((resolve) => {
  const s = net.createServer();
  s.once('error', () => resolve(false));
  s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
});

// Two consecutive free ports for GATEWAY_BASE_PORT+1 and +2.
async function freePair() {
  for (let i = 0; i < 20; i++) {
    const p = await freePort();
    if (p < 65535 && (await canBind(p + 1))) return p - 1;
  }
  throw new Error('no two consecutive free ports');
}

// Build folder holding the services: the folder above services/... of PULSE_LIFECYCLE_BIN.
function buildDir() {
  const bin = process.env.PULSE_LIFECYCLE_BIN;
  assert.ok(bin, 'PULSE_LIFECYCLE_BIN is set by ctest');
  const marker = `${path.sep}services${path.sep}`;
  return bin.slice(0, bin.lastIndexOf(marker));
}

function pidsAlive(pids) {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

// Starts scripts/run --no-build ARGS on free ports (a throwaway cluster unless env says otherwise)
// and waits for its "running" banner. Returns the process, its env and its output as text.
async function startRun(args, extraEnv = {}) {
  const env = {
    PULSE_BUILD_DIR: buildDir(),
    PULSE_RUN_DIR: runDir,
    PORT: String(await freePort()),
    LIFECYCLE_PORT: String(await freePort()),
    PULSE_BUS_PORT: String(await freePort()),
    GATEWAY_BASE_PORT: String(await freePair()),
    DATABASE_URL: '', // exercise the throwaway cluster
    ...extraEnv,
  };
  const run = new Proc('scripts/run', SCRIPT, ['--no-build', ...args], env);
  children.push(run);
  const text = () => run.output.join('\n');
  await waitFor('scripts/run ready', () => {
    if (!run.alive) {
      // No point waiting on: say why at once.
      throw Object.assign(new Error(`scripts/run exited ${run.exitCode}:\n${run.tail(40)}`), { fatal: true });
    }
    return text().includes('StellarStream Pulse is running');
  }, { timeoutMs: 90000, intervalMs: 200 });
  return { run, env, text };
}

test('scripts/run --gateways 2: starts, serves, refuses a second run, stops cleanly', { timeout: 120000 }, async () => {
  const { run, env, text } = await startRun(['--gateways', '2']);

  const pg = /data in (\/\S+)\)/.exec(text());
  assert.ok(pg && fs.existsSync(pg[1]), 'a throwaway cluster was made');
  const base = Number(env.GATEWAY_BASE_PORT);
  for (const port of [base + 1, base + 2, Number(env.PORT)]) {
    const health = await getJson(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
  }

  // The printed curl lines work as printed (through HAProxy's /api/* route).
  const curls = run.output.filter((l) => l.trim().startsWith('curl '));
  assert.equal(curls.length, 3, text());
  const answers = curls.map((line) => JSON.parse(execFileSync('bash', ['-c', line], { timeout: 10000 }).toString()));
  assert.deepEqual(answers.map((a) => [a.success, a.data.status || 'balance']), [[true, 'ACTIVE'], [true, 'balance'], [true, 'CANCELED']]);

  // A second run says so and exits 1, without touching the first.
  const second = spawn(SCRIPT, ['--no-build'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  second.stderr.on('data', (d) => (said += d));
  const code = await new Promise((resolve) => second.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(said, /already running \(\d+ since/);
  assert.ok(run.alive);

  // SIGTERM: every process it started stops, the cluster folder goes, exit status 0.
  const listening = execFileSync('bash', ['-c', `ss -Hltnp '( sport = :${env.PORT} or sport = :${env.LIFECYCLE_PORT} or sport = :${base + 1} or sport = :${base + 2} )' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u`]).toString().split('\n').filter(Boolean).map(Number);
  assert.ok(listening.length >= 4, `haproxy, lifecycle and 2 gateways listen (${listening})`);
  const { code: exitCode } = await run.stop('SIGTERM', 30000);
  assert.equal(exitCode, 0, run.tail(20));
  assert.match(text(), /run: stopped\./);
  assert.deepEqual(pidsAlive(listening), [], 'no process left behind');
  assert.equal(fs.existsSync(pg[1]), false, 'the throwaway cluster was removed');
});

// Plain scripts/run (no --gateways): the same one origin. Socket.IO, /health and the printed
// /api/* curl lines all answer on PORT, and the lifecycle API speaks CORS for FRONTEND_URL there
// (preflight included) while a foreign origin gets no CORS header.
test('scripts/run: PORT is the one origin for Socket.IO and /api/*, with CORS for FRONTEND_URL', { timeout: 120000 }, async () => {
  const frontend = 'http://localhost:5173';
  const { run, env, text } = await startRun([], { FRONTEND_URL: frontend });
  const origin = `http://127.0.0.1:${env.PORT}`;

  assert.match(text(), new RegExp(`lifecycle HTTP API /api/\\*\\s+${origin} `));
  const curls = run.output.filter((l) => l.trim().startsWith('curl '));
  assert.equal(curls.length, 3, text());
  for (const line of curls) assert.ok(line.trim().endsWith(`${origin}/api/test/${/test-\w+$/.exec(line)[0]}`), line);
  const answers = curls.map((l) => JSON.parse(execFileSync('bash', ['-c', l], { timeout: 10000 }).toString()));
  assert.deepEqual(answers.map((a) => a.success), [true, true, true]);

  const health = await getJson(`${origin}/health`);
  assert.equal(health.status, 200);
  assert.equal(health.body.message, 'StellarStream Backend is running', 'the gateway answers /health on PORT');
  const handshake = await fetch(`${origin}/socket.io/?EIO=4&transport=polling`, { signal: AbortSignal.timeout(5000) });
  assert.equal(handshake.status, 200);
  assert.match(await handshake.text(), /^0\{"sid":"/);

  // The console and the client bundle, from the gateway, on the same origin.
  assert.match(text(), new RegExp(`Pulse console\\s+${origin}/console`));
  const consolePage = await fetch(`${origin}/console`, { signal: AbortSignal.timeout(5000) });
  assert.equal(consolePage.status, 200);
  assert.match(await consolePage.text(), /<title>Pulse console<\/title>/);
  const bundle = await fetch(`${origin}/socket.io/socket.io.min.js`, { signal: AbortSignal.timeout(5000) });
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get('etag'), /^"\d+\.\d+\.\d+"$/);
  await bundle.arrayBuffer();

  // CORS preflight of the allowed origin, through PORT.
  const api = `${origin}/api/test/test-stream`;
  const preflight = await fetch(api, {
    method: 'OPTIONS',
    headers: { Origin: frontend, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), frontend);
  assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type');
  // The POST itself carries the header too (an invalid body: the answer is a 400 JSON).
  const post = await fetch(api, {
    method: 'POST', headers: { Origin: frontend, 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000),
  });
  assert.equal(post.status, 400);
  assert.equal(post.headers.get('access-control-allow-origin'), frontend);
  // A foreign origin: refused preflight, and no CORS header on anything.
  const foreign = await fetch(api, {
    method: 'OPTIONS',
    headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  const foreignPost = await fetch(api, {
    method: 'POST', headers: { Origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000),
  });
  assert.equal(foreignPost.headers.get('access-control-allow-origin'), null);

  const { code } = await run.stop('SIGTERM', 30000);
  assert.equal(code, 0, run.tail(20));
});

// scripts/run --lifecycles 2: two lifecycle replicas on one database behind PORT. HAProxy spreads
// the commands over both, every gateway hears both PUB sockets, and a client in the room receives
// each event once, in the order of the seqs the API answered (one stream whichever replica wrote).
test('scripts/run --lifecycles 2 --gateways 2: one ordered stream from two writers', { timeout: 120000 }, async () => {
  // Replica i uses LIFECYCLE_PORT+i-1 and PULSE_BUS_PORT+i-1: two consecutive free ports each.
  const { run, env, text } = await startRun(['--lifecycles', '2', '--gateways', '2'], {
    LIFECYCLE_PORT: String((await freePair()) + 1),
    PULSE_BUS_PORT: String((await freePair()) + 1),
  });
  const origin = `http://127.0.0.1:${env.PORT}`;
  const lc = [Number(env.LIFECYCLE_PORT), Number(env.LIFECYCLE_PORT) + 1];
  assert.match(text(), /HAProxy -> lifecycle-1 lifecycle-2 on /);
  for (const port of lc) assert.equal((await getJson(`http://127.0.0.1:${port}/health`)).status, 200);

  const sender = strkey('two-writers-sender');
  const receiver = strkey('two-writers-receiver');
  const client = new Client(origin);
  try {
    await client.connected();
    await client.join(sender);
    // HAProxy waits for its first health check of each replica: give both time to be up, so the
    // round-robin below really alternates.
    await sleep(2500);
    const n = 40;
    const ids = Array.from({ length: n }, (_, i) => `two-writers-${i}`);
    const answers = await Promise.all(ids.map((streamId) => postJson(`${origin}/api/test/test-stream`,
      { streamId, sender, receiver, amount: '1000' })));
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    const seqs = answers.map((a) => a.body.seq);
    assert.equal(new Set(seqs).size, n, `every answer has its own seq: ${seqs}`);
    // Both replicas took commands.
    for (const port of lc) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const served = [...metrics.matchAll(/^pulse_lifecycle_http_responses_total\{[^}]*route="\/api\/test\/test-stream"[^}]*code="2xx"[^}]*\} (\d+)/gm)]
        .reduce((sum, m) => sum + Number(m[1]), 0);
      assert.ok(served > 0, `lifecycle on ${port} answered some of the commands (${served})`);
    }
    // The client gets each stream once, in seq order.
    await waitFor('all events', () => client.events.filter((e) => e.event === 'new-stream').length >= n,
      { timeoutMs: 15000, intervalMs: 50 });
    await sleep(300);
    const got = client.events.filter((e) => e.event === 'new-stream').map((e) => e.payload.streamId);
    const bySeq = ids.map((id, i) => [seqs[i], id]).sort((x, y) => x[0] - y[0]).map(([, id]) => id);
    assert.deepEqual(got, bySeq, 'delivered once each, in the order of the answered seqs');
  } finally {
    client.socket.close();
  }
  const { code } = await run.stop('SIGTERM', 30000);
  assert.equal(code, 0, run.tail(20));
});
