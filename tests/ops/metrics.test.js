'use strict';
// /metrics of both services after real traffic (a WebSocket and a polling client joined, the
// three test events delivered): valid Prometheus exposition per Debian's `promtool check metrics`
// (format and lint), the series the README lists present, and every metric the Grafana dashboard
// queries present in these scrapes.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { Stack, address, uniqueId, waitFor } = require('../e2e/lib/harness');
const { dashboardMetrics, sampleNames } = require('./lib/metric-names');

const PROMTOOL = process.env.PROMTOOL || 'promtool';
const SOURCE_DIR = path.resolve(__dirname, '../..');

const expected = {
  lifecycle: [
    'pulse_build_info',
    'pulse_lifecycle_http_request_duration_seconds_bucket',
    'pulse_lifecycle_http_responses_total',
    'pulse_lifecycle_db_duration_seconds_bucket',
    'pulse_lifecycle_events_committed_total',
    'pulse_lifecycle_bus_published_total',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'process_open_fds',
    'process_start_time_seconds',
  ],
  gateway: [
    'pulse_build_info',
    'pulse_gateway_delivery_latency_seconds_bucket',
    'pulse_gateway_http_request_duration_seconds_bucket',
    'pulse_gateway_connects_total',
    'pulse_gateway_disconnects_total',
    'pulse_gateway_origin_refusals_total',
    'pulse_gateway_auth_failures_total',
    'pulse_gateway_rate_limited_total',
    'pulse_gateway_slow_client_cuts_total',
    'pulse_gateway_sent_bytes_total',
    'pulse_gateway_deliveries_total',
    'pulse_gateway_sessions',
    'pulse_gateway_rooms',
    'pulse_gateway_bus_lag_seconds',
    'pulse_bus_messages_total',
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'process_open_fds',
  ],
};

// Only https://app.example.com may connect from a browser; socket.io-client in Node sends no
// Origin, so the test's own clients are not affected.
const stack = new Stack({ gateways: 1, gatewayEnv: { FRONTEND_URL: 'https://app.example.com' } });
const scrapes = {};
before(async () => {
  await stack.start();
  await stack.waitBusReady();
  const sender = address('metrics-sender');
  const who = address('metrics-receiver', 'C');  // the receiver hears all three events
  const ws = stack.client(stack.publicUrl, { transports: ['websocket'] });
  const polling = stack.client(stack.publicUrl, { transports: ['polling'] });
  await Promise.all([ws.connected(), polling.connected()]);
  await ws.join(who);
  await polling.join(who);
  const streamId = uniqueId('metrics');
  assert.equal((await stack.api('test-stream', { streamId, sender, receiver: who, amount: '100' })).status, 200);
  assert.equal((await stack.api('test-withdrawal', { streamId, amount: '10' })).status, 200);
  assert.equal((await stack.api('test-cancellation', { streamId, toReceiver: '60', toSender: '30' })).status, 200);
  assert.equal((await stack.api('test-withdrawal', { streamId: 'no-such-stream', amount: '1' })).status, 404);
  for (const c of [ws, polling]) await waitFor('three events', () => c.domainEvents().length >= 3);
  for (const [name, url] of [['lifecycle', stack.lifecycleUrl], ['gateway', stack.gatewayUrl(0)]]) {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    scrapes[name] = await res.text();
  }
});
after(() => stack.stop());

for (const name of ['lifecycle', 'gateway']) {
  test(`${name} /metrics passes promtool check metrics`, () => {
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: scrapes[name], encoding: 'utf8' });
    assert.equal(r.error, undefined, `cannot run ${PROMTOOL}: ${r.error?.message}`);
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
    assert.equal((r.stdout + r.stderr).trim(), '');
  });

  test(`${name} /metrics has the documented series`, () => {
    const names = sampleNames(scrapes[name]);
    for (const metric of expected[name]) assert.ok(names.has(metric), `${metric} missing from ${name} /metrics`);
  });
}

test('lifecycle counts what happened: three commands 2xx, one 4xx, their database time', () => {
  const text = scrapes.lifecycle;
  const value = (series) => Number(new RegExp(`^${series.replace(/[{}"/\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.equal(value('pulse_lifecycle_http_responses_total{route="/api/test/test-stream",code="2xx"}') >= 1, true);
  assert.equal(value('pulse_lifecycle_http_responses_total{route="/api/test/test-withdrawal",code="4xx"}'), 1);
  assert.equal(value('pulse_lifecycle_db_duration_seconds_count{route="/api/test/test-cancellation"}'), 1);
  assert.ok(value('pulse_lifecycle_db_duration_seconds_sum{route="/api/test/test-cancellation"}') > 0);
  assert.ok(value('process_resident_memory_bytes') > 1e6);
  assert.match(text, /^pulse_build_info\{service="lifecycle",version="\d+\.\d+\.\d+"\} 1$/m);
});

test('gateway counts what happened: sessions by transport, deliveries, latency, an origin refusal, a disconnect', async () => {
  const value = (text, series) => Number(new RegExp(`^${series.replace(/[{}"/\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
  let text = scrapes.gateway;
  assert.equal(value(text, 'pulse_gateway_sessions{transport="websocket"}') >= 1, true, text);
  assert.equal(value(text, 'pulse_gateway_sessions{transport="polling"}'), 1);
  // 3 events to 2 sockets, plus the bus-ready probe's event(s) to its socket
  assert.ok(value(text, 'pulse_gateway_deliveries_total') >= 6);
  assert.ok(value(text, 'pulse_gateway_delivery_latency_seconds_count') >= 3);
  assert.ok(value(text, 'pulse_gateway_sent_bytes_total') > 0);
  // Set by every bus event: its timestamp (ms) to the gateway's clock, on one host.
  const lag = value(text, 'pulse_gateway_bus_lag_seconds');
  assert.ok(lag > 0 && lag < 60, `bus lag ${lag}`);
  assert.equal(value(text, 'pulse_gateway_rooms'), 1);
  const refusedBefore = value(text, 'pulse_gateway_origin_refusals_total');
  const closedBefore = value(text, 'pulse_gateway_disconnects_total{reason="transport close"}');
  const refused = await fetch(`${stack.gatewayUrl(0)}/socket.io/?EIO=4&transport=polling`, {
    headers: { Origin: 'https://evil.example' },
  });
  assert.equal(refused.status, 403);
  const probe = stack.client(stack.publicUrl, { transports: ['websocket'] });
  await probe.connected();
  probe.close();
  await waitFor('the disconnect counted', async () => {
    text = await (await fetch(`${stack.gatewayUrl(0)}/metrics`)).text();
    return value(text, 'pulse_gateway_disconnects_total{reason="transport close"}') > closedBefore;
  });
  assert.equal(value(text, 'pulse_gateway_origin_refusals_total'), refusedBefore + 1);
  const routes = value(text, 'pulse_gateway_http_request_duration_seconds_count{route="/metrics"}');
  assert.ok(routes >= 1, 'the earlier scrape was timed');
});

test('every metric the Grafana dashboard queries is in a real scrape', () => {
  const file = path.join(SOURCE_DIR, 'deploy/grafana/pulse-dashboard.json');
  const referenced = dashboardMetrics(JSON.parse(fs.readFileSync(file, 'utf8')));
  assert.ok(referenced.size >= 10, `dashboard references only ${[...referenced].join(', ')}`);
  const present = new Set([...sampleNames(scrapes.lifecycle), ...sampleNames(scrapes.gateway)]);
  const missing = [...referenced].filter((m) => !present.has(m));
  assert.deepEqual(missing, [], `dashboard queries metrics no service exposes: ${missing.join(', ')}`);
});
