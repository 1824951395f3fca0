'use strict';
// The soak run behind scripts/soak (not in CI): the chaos stack (2 gateways behind HAProxy,
// lifecycle, PostgreSQL of its own) under a moderate steady load for SOAK_MINUTES, printing every
// SOAK_REPORT_S seconds each process's RSS and open file descriptors and the running count of
// events answered 200 that a client concerned had not received 5 s later (lost).
const fs = require('node:fs');
const { ChaosStack, Load, sleep } = require('./lib/chaos');

const minutes = Number(process.env.SOAK_MINUTES || 20);
const reportEvery = Number(process.env.SOAK_REPORT_S || 60) * 1000;
const rate = Number(process.env.SOAK_RATE || 50); // events per second

function proc(pid) {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return { rssMb: (rss / 1024).toFixed(1), fds: fs.readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return { rssMb: 'gone', fds: 'gone' };
  }
}

async function main() {
  const stack = new ChaosStack({ gateways: 2, haproxy: true });
  await stack.start();
  await stack.waitBusReady();
  const load = new Load(stack, { clients: 300, rooms: 100 });
  await load.connect();
  const started = Date.now();
  const end = started + minutes * 60000;
  let stop = false;
  const publishing = load.publish({ concurrency: 1, pauseMs: Math.max(0, Math.round(1000 / rate) - 2), until: () => stop || Date.now() > end });

  // Lost so far: events answered 200 more than 5 s ago that a concerned client has not received.
  let checked = 0;
  let lost = 0;
  const received = load.clients.map(() => new Set());
  const byAddr = new Map();
  for (const c of load.clients) byAddr.set(c.addr, [...(byAddr.get(c.addr) || []), c]);
  const count = () => {
    for (const [i, c] of load.clients.entries()) {
      for (const a of c.arrivals.splice(0)) received[i].add(a.streamId);
    }
    const ok = load.ok();
    while (checked < ok.length && ok[checked].answeredAt < Date.now() - 5000) {
      const p = ok[checked++];
      for (const c of [...(byAddr.get(p.sender) || []), ...(byAddr.get(p.receiver) || [])]) {
        if (!received[load.clients.indexOf(c)].has(p.streamId)) lost++;
      }
    }
  };
  const line = () => {
    count();
    const gw = stack.gateways.map((g) => proc(g.child.pid));
    const lc = proc(stack.lifecycle.child.pid);
    const mins = ((Date.now() - started) / 60000).toFixed(1);
    console.log(`soak t=${mins} min events=${load.ok().length} checked=${checked} lost=${lost} ` +
      gw.map((g, i) => `gateway-${i + 1} rss=${g.rssMb}MB fds=${g.fds}`).join(' ') +
      ` lifecycle rss=${lc.rssMb}MB fds=${lc.fds} connected=${load.clients.filter((c) => c.socket.connected).length}/${load.clients.length}`);
  };
  line();
  while (Date.now() < end) {
    await sleep(Math.min(reportEvery, Math.max(0, end - Date.now())));
    line();
  }
  stop = true;
  await publishing;
  await sleep(6000);
  line();
  console.log(`soak done: ${load.ok().length} events answered 200, ${lost} lost`);
  await stack.stop();
  process.exit(lost === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
