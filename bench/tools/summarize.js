#!/usr/bin/env node
'use strict';
// Reads the JSON lines of scripts/bench (runs.jsonl) and prints a Markdown summary: per scenario
// the median of each figure over the repeats for each system, and the ratio C++ / Node where the
// two ran the same thing (HTTP injection: the Node reference has no bus). Pure data in, text out.
const fs = require('fs');

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const fmt = (x) => {
  if (x === null || x === undefined) return '-';
  if (typeof x === 'string') return x;
  if (x === 0) return '0';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 10) return x.toFixed(1);
  if (a >= 0.1) return x.toFixed(2);
  return x.toFixed(3);
};
const sumServers = (r, key) =>
  Object.values(r.servers || {}).reduce((s, v) => s + (typeof v[key] === 'number' ? v[key] : 0), 0);
const pushServer = (r, name) => (r.servers && r.servers[name]) || null;
// Every lifecycle instance of a run (one, or two for the cpp2 system): their CPU added up.
const lifecycleCpu = (r) => {
  const lcs = Object.entries(r.servers || {}).filter(([n]) => /^lifecycle\d*$/.test(n));
  return lcs.length ? lcs.reduce((s, [, v]) => s + (v.cpu_us_per_delivery || 0), 0) : null;
};

// The figures of a run, in table order. `lowerIsBetter` decides how a ratio reads.
const FIGURES = [
  ['connections joined', (r) => r.joined],
  ['connect+join /s', (r) => r.connect_join_per_s],
  ['events sent', (r) => r.events.sent],
  ['deliveries expected', (r) => r.deliveries.expected],
  ['lost + duplicated + misrouted + corrupt', (r) =>
    r.deliveries.lost + r.deliveries.duplicated + r.deliveries.misrouted + r.deliveries.corrupt],
  ['deliveries/s', (r) => r.deliveries_per_s],
  ['latency p50 ms', (r) => r.latency_ms.p50],
  ['latency p90 ms', (r) => r.latency_ms.p90],
  ['latency p99 ms', (r) => r.latency_ms.p99],
  ['latency p99.9 ms', (r) => r.latency_ms.p999],
  ['latency max ms', (r) => r.latency_ms.max],
  ['push server CPU µs/delivery (gateway or node)', (r) => (pushServer(r, 'gateway') || pushServer(r, 'node') || {}).cpu_us_per_delivery],
  ['lifecycle CPU µs/delivery (all instances)', lifecycleCpu],
  ['PostgreSQL CPU µs/delivery', (r) => (pushServer(r, 'postgres') || {}).cpu_us_per_delivery],
  ['all servers CPU s per 1k deliveries', (r) => sumServers(r, 'cpu_s_per_1k_deliveries')],
  ['push server KB per connection', (r) => (pushServer(r, 'gateway') || pushServer(r, 'node') || {}).kb_per_connection],
  ['push server RSS idle MB', (r) => ((pushServer(r, 'gateway') || pushServer(r, 'node') || {}).rss_kb || {}).idle / 1024],
  ['push server RSS connected MB', (r) => ((pushServer(r, 'gateway') || pushServer(r, 'node') || {}).rss_kb || {}).connected / 1024],
  ['push server RSS peak MB', (r) => ((pushServer(r, 'gateway') || pushServer(r, 'node') || {}).rss_kb || {}).peak / 1024],
  ['disconnected during run', (r) => r.disconnected_during_run],
  ['generator core share', (r) => r.generator.cpu_core_share],
  ['push server CPU µs per connect+join', (r) => (pushServer(r, 'gateway') || pushServer(r, 'node') || {}).connect_cpu_us_per_connection],
  ['generator CPU µs per connect+join', (r) => r.generator.connect_cpu_us_per_connection],
  ['core 0 (servers) busy while connecting', (r) => (r.cores_busy_while_connecting || [])[0]],
  ['core 1 (generator) busy while connecting', (r) => (r.cores_busy_while_connecting || [])[1]],
];

// The write path's targets (scripts/bench --write): one row per target, a column per system,
// and whether today's build (C++, one lifecycle) meets it. Medians over the repeats.
function writeTargets(runs, pgbench, machine, lines = []) {
  const of = (scenario, target) => runs.filter((r) => r.scenario === scenario && r.target === target && r.inject === 'http');
  const systems = [['base', `C++ at ${machine && machine.baseline ? machine.baseline : 'baseline'}`], ['cpp', 'C++'], ['cpp2', 'C++ 2 lifecycles'], ['node', 'Node']]
    .filter(([t]) => runs.some((r) => r.target === t && /^write-/.test(r.scenario)));
  if (!systems.length) return [];
  const med = (rs, get) => median(rs.map((r) => { try { return get(r); } catch (e) { return null; } }));
  const perEvent = (r) => r.deliveries.expected / Math.max(1, r.events.sent);
  const lost = (r) => r.deliveries.lost + r.deliveries.duplicated + r.deliveries.misrouted + r.deliveries.corrupt;
  const cpuPerEvent = (r) => {
    const lc = lifecycleCpu(r);
    const pg = (pushServer(r, 'postgres') || {}).cpu_us_per_delivery;
    return lc === null || typeof pg !== 'number' ? null : (lc + pg) * perEvent(r);
  };
  const rows = [
    ['achieved at 2,000 ev/s offered (ev/s; lost+dup+misrouted)', '2,000; 0', 'write-2000eps',
      (rs) => `${fmt(med(rs, (r) => r.events_per_s))}; ${fmt(med(rs, lost))}`,
      (rs) => med(rs, (r) => r.events_per_s) >= 1990 && rs.every((r) => lost(r) === 0)],
    ['p99 send → receipt at 2,000 ev/s (ms)', '≤ 5', 'write-2000eps',
      (rs) => fmt(med(rs, (r) => r.latency_ms.p99)), (rs) => med(rs, (r) => r.latency_ms.p99) <= 5],
    ['sustained ingest at 12,000 ev/s offered (ev/s; lost+dup+misrouted)', '≥ 10,000; 0', 'write-12000eps',
      (rs) => `${fmt(med(rs, (r) => r.events_per_s))}; ${fmt(med(rs, lost))}`,
      (rs) => med(rs, (r) => r.events_per_s) >= 10000 && rs.every((r) => lost(r) === 0)],
    ['CPU µs per event, lifecycle + PostgreSQL, 12,000 run', '≤ 60', 'write-12000eps',
      (rs) => fmt(med(rs, cpuPerEvent)), (rs) => med(rs, cpuPerEvent) <= 60],
    ['CPU µs per event, lifecycle + PostgreSQL, 2,000 run', '≤ 60', 'write-2000eps',
      (rs) => fmt(med(rs, cpuPerEvent)), (rs) => med(rs, cpuPerEvent) <= 60],
  ];
  const out = ['### write path: the targets', ''];
  if (pgbench.length)
    out.push(`Database floor (pgbench, ${pgbench[0].clients} clients, \`pulse_apply_commands\` on core 0, same commit mode): ${pgbench.map((p) => `${fmt(p.rows_per_s)} rows/s at ${p.batch} create(s) per transaction`).join(', ')}.`, '');
  const rowFloor = lines.filter((l) => l.bench === 'pg-row-floor');
  if (rowFloor.length) {
    const at = (what, batch) => (rowFloor.find((l) => l.what === what && l.batch === batch) || {}).cpu_us;
    const batches = [...new Set(rowFloor.map((l) => l.batch))];
    out.push(`PostgreSQL CPU µs per create, one backend on core 0 (\`bench/tools/pg-row-floor\`): ${batches.map((b) => `at ${b} per transaction ${fmt(at('rows', b))} for the rows alone by plain SQL (the floor), ${fmt(at('creates', b))} through the lifecycle's statement for a batch of creates, ${fmt(at('apply', b))} through \`pulse_apply_commands\``).join('; ')}; a durable commit ${fmt(at('commit', batches[0]))} µs.`, '');
  }
  out.push(`| figure | target | ${systems.map(([, n]) => n).join(' | ')} | met by C++? |`);
  out.push(`|---|---|${systems.map(() => '---:').join('|')}|---|`);
  for (const [label, target, scenario, show, met] of rows) {
    const cells = systems.map(([t]) => { const rs = of(scenario, t); return rs.length ? show(rs) : '-'; });
    const cpp = of(scenario, 'cpp');
    out.push(`| ${label} | ${target} | ${cells.join(' | ')} | ${cpp.length ? (met(cpp) ? 'yes' : '**no**') : '-'} |`);
  }
  const two = runs.filter((r) => r.target === 'cpp2' && /^write-/.test(r.scenario));
  if (two.length) {
    const clean = two.every((r) => r.correct && lost(r) === 0);
    out.push(`| two lifecycle instances, one database | every run clean, one ordered stream | ${systems.map(([t]) => (t === 'cpp2' ? `${two.length} run(s), ${clean ? 'all clean' : 'NOT clean'}` : '')).join(' | ')} | ${clean ? 'yes' : '**no**'} |`);
  }
  out.push('');
  return out;
}

function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: summarize.js runs.jsonl');
    process.exit(2);
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const machine = lines.find((l) => l.bench === 'machine');
  const floors = lines.filter((l) => l.bench === 'write-floor');
  const runs = lines.filter((l) => l.bench === 'pulse-load' && l.target !== 'floor');
  const connectFloors = lines.filter((l) => l.bench === 'pulse-load' && l.target === 'floor');
  const pgbench = lines.filter((l) => l.bench === 'pgbench-floor');
  const out = [];
  if (machine) {
    out.push(`Machine: ${machine.cpu}, ${machine.cores} cores; ${machine.date}; load average at start ${machine.loadavg}; mode ${machine.mode}${machine.baseline ? `; baseline build ${machine.baseline}` : ''}.`);
    out.push('');
  }
  out.push(...writeTargets(runs, pgbench, machine, lines));
  if (floors.length) {
    out.push('Write floor (CPU of write() on loopback, 150-byte frames, core 0):');
    out.push('');
    out.push('| sockets | frames per write | receiving side | CPU µs per write | CPU µs per frame |');
    out.push('|---:|---:|---|---:|---:|');
    for (const f of floors) {
      const side = `${f.receiver || 'drained after'}${f.burst ? `; bursts of ${f.burst} writes every ${f.pause_us / 1000} ms` : ''}`;
      out.push(`| ${f.connections} | ${f.frames_per_write} | ${side} | ${fmt(f.cpu_us_per_write)} | ${fmt(f.cpu_us_per_frame)} |`);
    }
    out.push('');
  }
  if (connectFloors.length) {
    out.push('Connect floor (pulse-bench connect-floor-server on core 0: fixed answers of the gateway\'s sizes, no SHA-1/JSON; medians):');
    out.push('');
    out.push('| connections | runs | connect+join /s | floor server CPU µs per connect+join | generator CPU µs per connect+join | core 0 (server) busy while connecting | core 1 (generator) busy |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of [...new Set(connectFloors.map((f) => f.connections))]) {
      const fs_ = connectFloors.filter((f) => f.connections === n);
      const med = (get) => median(fs_.map((f) => { try { return get(f); } catch (e) { return null; } }));
      const core = (i) => med((f) => (f.cores_busy_while_connecting || [])[i]);
      out.push(`| ${n} | ${fs_.length} | ${fmt(med((f) => f.connect_join_per_s))} | ${fmt(med((f) => f.servers.floor.connect_cpu_us_per_connection))} | ${fmt(med((f) => f.generator.connect_cpu_us_per_connection))} | ${fmt(core(0))} | ${fmt(core(1))} |`);
    }
    out.push('');
  }
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  for (const sc of scenarios) {
    const group = runs.filter((r) => r.scenario === sc);
    const cols = [];
    const names = { base: `C++ at ${machine && machine.baseline ? machine.baseline : 'baseline'}`, cpp: 'C++', cpp2: 'C++ 2 lifecycles', node: 'Node' };
    for (const [target, inject] of [['base', 'http'], ['cpp', 'http'], ['cpp2', 'http'], ['cpp', 'bus'], ['node', 'http']]) {
      const rs = group.filter((r) => r.target === target && r.inject === inject);
      if (rs.length) cols.push({ name: `${names[target]} (${inject}, n=${rs.length})`, target, inject, rs });
    }
    const first = group[0];
    out.push(`### ${sc}: ${first.connections} connections, ${first.room_size} sockets a room, rate ${first.rate} events/s`);
    out.push('');
    const cppHttp = cols.find((c) => c.target === 'cpp' && c.inject === 'http');
    const node = cols.find((c) => c.target === 'node');
    const withRatio = cppHttp && node;
    out.push(`| figure (median) | ${cols.map((c) => c.name).join(' | ')}${withRatio ? ' | C++ / Node (HTTP) |' : ' |'}`);
    out.push(`|---|${cols.map(() => '---:').join('|')}${withRatio ? '|---:|' : '|'}`);
    for (const [label, get] of FIGURES) {
      const meds = cols.map((c) => median(c.rs.map((r) => { try { return get(r); } catch (e) { return null; } })));
      if (meds.every((m) => m === null || m === 0) && /lifecycle|PostgreSQL/.test(label)) continue;
      let ratio = '';
      if (withRatio) {
        const a = meds[cols.indexOf(cppHttp)];
        const b = meds[cols.indexOf(node)];
        ratio = a !== null && b ? ` ${fmt(a / b)} |` : ' - |';
      }
      out.push(`| ${label} | ${meds.map(fmt).join(' | ')} |${ratio}`);
    }
    const bad = group.filter((r) => !r.correct);
    if (bad.length) out.push(`\n${bad.length} run(s) not clean: ${bad.map((r) => `${r.target}/${r.inject}#${r.repeat}${r.first_client_error ? ' (' + r.first_client_error + ')' : ''}${r.first_inject_error ? ' (' + r.first_inject_error.slice(0, 120) + ')' : ''}`).join(', ')}`);
    const bound = group.filter((r) => r.generator.bound);
    if (bound.length) out.push(`\nGenerator-bound (load client near a full core) in ${bound.length} run(s): the figures are a floor of the server's capacity, not its capacity.`);
    out.push('');
  }
  console.log(out.join('\n'));
}

main();
