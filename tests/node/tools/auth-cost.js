'use strict';
// Measures the gateway's CPU cost of PULSE_AUTH=jwt per connect+join: N stock socket.io-client
// WebSocket clients connect and join their room, against one gateway with auth off and one with
// auth on (HS256), alternating; the gateway's own CPU time (/proc/PID/stat) over the connect
// phase divided by N. Tokens are minted with npm jose before the clock starts.
//   PULSE_GATEWAY_BIN=… node tests/node/tools/auth-cost.js [N] [ROUNDS]
// Run it under `flock /work/coord/bench.lock` on a shared machine.
const fs = require('node:fs');
const { io } = require('socket.io-client');
const h = require('../lib/engine-helpers');
const { account } = require('../interop/lib');

const N = Number(process.argv[2] || 1000);
const ROUNDS = Number(process.argv[3] || 2);
const SECRET = 'auth-cost-secret-of-at-least-32-bytes!!';

function cpuSeconds(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;  // utime + stime, clock ticks (USER_HZ 100)
}

async function run(auth, tokens) {
  // Every connection comes from 127.0.0.1: no per-address connection limit.
  const env = { IO_THREADS: '1', PULSE_BUS_CONNECT: 'tcp://127.0.0.1:1', PULSE_MAX_CONNECTIONS_PER_IP: '0' };
  if (auth) Object.assign(env, { PULSE_AUTH: 'jwt', PULSE_JWT_SECRET: SECRET });
  const gw = await h.startServer(process.env.PULSE_GATEWAY_BIN, env);
  const sockets = [];
  try {
    const before = cpuSeconds(gw.proc.pid);
    const started = Date.now();
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => new Promise((resolve, reject) => {
        const j = i + k;
        const s = io(gw.origin, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth: { token: tokens[j] } } : {}) });
        sockets.push(s);
        s.on('connect_error', reject);
        s.on('connect', () => s.emit('join-stream-room', account(j), (ack) => (ack.ok ? resolve() : reject(new Error(JSON.stringify(ack))))));
      })));
    }
    const cpu = cpuSeconds(gw.proc.pid) - before;
    return { auth, cpu_us_per_conn: (cpu * 1e6) / N, wall_ms: Date.now() - started };
  } finally {
    for (const s of sockets) s.close();
    await gw.stop();
  }
}

(async () => {
  const jose = await import('jose');
  const key = new TextEncoder().encode(SECRET);
  const tokens = [];
  for (let i = 0; i < N; i++)
    tokens.push(await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(account(i)).setIssuedAt().setExpirationTime('1h').sign(key));
  for (let r = 0; r < ROUNDS; r++)
    for (const auth of [false, true]) console.log(JSON.stringify({ n: N, round: r + 1, ...(await run(auth, tokens)) }));
})().catch((e) => { console.error(e); process.exit(1); });
