'use strict';
// The soak run behind scripts/soak (not in CI): the chaos stack (2 gateways behind HAProxy,
// lifecycle, PostgreSQL of its own) under a moderate steady load for SOAK_MINUTES, printing every
// SOAK_REPORT_S seconds each process's RSS and open file descriptors and the running count of
// events answered 200 that a client concerned had not received 5 s later (lost). Ends with the
// outbox accounting (lost, duplicated, out of order) and one JSON line comparing the first and the
// last sample: {"soak":{...,"start":{...},"end":{...}}}.
const fs = require('node:fs');
const { ChaosStack, Load, sleep } = require('./lib/chaos');

const minutes = Number(process.env.SOAK_MINUTES || 20);
const reportEvery = Number(process.env.SOAK_REPORT_S || 60) * 1000;
const rate = Number(process.env.SOAK_RATE || 50); // events per second

function proc(pid) {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return { rssMb: Math.round(rss / 102.4) / 10, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return { rssMb: null, fds: null }; // the process is gone
  }
}
const show = (p) => `rss=${p.rssMb ?? 'gone'}MB fds=${p.fds ?? 'gone'}`;

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
  const read = load.clients.map(() => 0); // arrivals already in `received` (kept for the accounting)
  const byAddr = new Map();
  for (const c of load.clients) byAddr.set(c.addr, [...(byAddr.get(c.addr) || []), c]);
  const count = () => {
    for (const [i, c] of load.clients.entries()) {
      for (; read[i] < c.arrivals.length; read[i]++) received[i].add(c.arrivals[read[i]].streamId);
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
    const sample = {
      minutes: Math.round((Date.now() - started) / 6000) / 10,
      events: load.ok().length,
      lost,
      gateways: stack.gateways.map((g) => proc(g.child.pid)),
      lifecycle: proc(stack.lifecycle.child.pid),
      connected: load.clients.filter((c) => c.socket.connected).length,
    };
    console.log(`soak t=${sample.minutes} min events=${sample.events} checked=${checked} lost=${lost} ` +
      sample.gateways.map((g, i) => `gateway-${i + 1} ${show(g)}`).join(' ') +
      ` lifecycle ${show(sample.lifecycle)} connected=${sample.connected}/${load.clients.length}`);
    return sample;
  };
  const first = line();
  while (Date.now() < end) {
    await sleep(Math.min(reportEvery, Math.max(0, end - Date.now())));
    line();
  }
  stop = true;
  await publishing;
  await sleep(6000);
  const last = line();
  // The exact accounting against the outbox: duplicates and order too, not only the running count.
  const result = load.account(await stack.outbox());
  const growth = (a, b) => (a === null || b === null ? null : Math.round((b - a) * 10) / 10);
  const summary = {
    minutes, rate, clients: load.clients.length, events: load.ok().length,
    lost: Math.max(lost, result.lost), dup: result.dup, outOfOrder: result.outOfOrder, phantom: result.phantom,
    start: first, end: last,
    rssGrowthMb: { gateways: first.gateways.map((g, i) => growth(g.rssMb, last.gateways[i].rssMb)), lifecycle: growth(first.lifecycle.rssMb, last.lifecycle.rssMb) },
    fdGrowth: { gateways: first.gateways.map((g, i) => growth(g.fds, last.gateways[i].fds)), lifecycle: growth(first.lifecycle.fds, last.lifecycle.fds) },
  };
  console.log(`soak done: ${summary.events} events answered 200, ${summary.lost} lost, ${summary.dup} duplicated, ${summary.outOfOrder} out of order`);
  if (result.details.length) console.log(result.details.join('\n'));
  console.log(JSON.stringify({ soak: summary }));
  await stack.stop();
  process.exit(summary.lost + summary.dup + summary.outOfOrder + summary.phantom === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
