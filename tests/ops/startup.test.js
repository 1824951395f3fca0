'use strict';
// Start-up contract of every service binary (docs/operations.md "Configuration"): --help lists every variable
// with its default and starts nothing; --version prints the project version; an unknown argument
// or a bad setting is one error line and exit code 2, never an abort.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

const binaries = (process.env.PULSE_OPS_BINARIES || '').split(',').filter(Boolean).map((p) => p.split('='));
const tools = (process.env.PULSE_OPS_TOOLS || '').split(',').filter(Boolean).map((p) => p.split('='));
const version = process.env.PULSE_PROJECT_VERSION;
if (!binaries.length || !version) throw new Error('PULSE_OPS_BINARIES and PULSE_PROJECT_VERSION are set by ctest');

// Only what the test sets: no PULSE_* from the caller's shell.
function run(binary, args, env = {}) {
  const r = spawnSync(binary, args, { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 10000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Settings that make each binary fail for one reason only (others valid or defaulted).
const base = { 'pulse-lifecycle': { DATABASE_URL: 'postgresql://pulse@127.0.0.1:1/pulse' } };
const badSettings = {
  common: [
    ['LOG_LEVEL', 'bogus', /LOG_LEVEL must be one of debug, info, warn, error; got 'bogus'/],
  ],
  'pulse-lifecycle': [
    ['LIFECYCLE_PORT', '70000', /LIFECYCLE_PORT must be between 0 and 65535, got 70000/],
    ['PULSE_TEST_ENDPOINTS', 'maybe', /PULSE_TEST_ENDPOINTS must be on or off, got 'maybe'/],
    ['PULSE_DB_POOL_SIZE', '0', /PULSE_DB_POOL_SIZE must be between 1 and 128, got 0/],
    ['DATABASE_URL', 'postgresql://h/db?nonsense=1', /bad DATABASE_URL: /],
    ['FRONTEND_URL', 'https://app.example.com,app2.example.com', /FRONTEND_URL: entry 'app2.example.com' needs a scheme/],
  ],
  'pulse-gateway': [
    ['PORT', 'http', /PORT must be a whole number, got 'http'/],
    ['FRONTEND_URL', 'app.example.com', /FRONTEND_URL: entry 'app.example.com' needs a scheme/],
    ['IO_THREADS', '0', /IO_THREADS must be auto or a whole number from 1 to 256, got '0'/],
    ['PULSE_BUS_CONNECT', 'localhost:5556', /PULSE_BUS_CONNECT: entry 'localhost:5556' is not a ZeroMQ endpoint/],
    ['PULSE_REPLAY_URL', 'lifecycle:3001', /PULSE_REPLAY_URL: expected http:\/\/host:port/],
    ['PING_INTERVAL_MS', '-5', /PING_INTERVAL_MS must be between/],
  ],
};

for (const [name, binary] of tools) {
  test(`${name} --help and --version`, () => {
    const help = run(binary, ['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /usage: /);
    const v = run(binary, ['--version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${name} ${version}\n`);
  });
}

for (const [name, binary] of binaries) {
  test(`${name} --help lists every variable with its default, starts nothing`, () => {
    const r = run(binary, ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${name} ${version.replace(/\./g, '\\.')}: `));
    assert.match(r.stdout, /LOG_LEVEL +default: info\n/);
    const md = run(binary, ['--help', '--markdown']);
    assert.equal(md.code, 0);
    const rows = md.stdout.split('\n').filter((l) => l.startsWith('| `'));
    assert.ok(rows.length >= 4, md.stdout);
    for (const row of rows) {
      const variable = /^\| `([A-Z0-9_]+)` \| /.exec(row)?.[1];
      assert.ok(variable, `row names a variable: ${row}`);
      assert.match(r.stdout, new RegExp(`\\n  ${variable} +default: `), `${variable} in --help`);
      assert.match(row, /^\| `[A-Z0-9_]+` \| (`[^`]*`|\(required\)|\(empty\)) \| .+ \|$/, row);
    }
  });

  test(`${name} --version prints the CMake project version`, () => {
    const r = run(binary, ['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${name} ${version}\n`);
  });

  test(`${name}: an unknown argument exits 2 with one line`, () => {
    const r = run(binary, ['--port=3000']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /unknown argument '--port=3000' \(try --help\)/);
  });

  for (const [variable, value, expected] of [...badSettings.common, ...(badSettings[name] || [])]) {
    test(`${name}: ${variable}=${value} is one error line and exit 2`, () => {
      const r = run(binary, [], { ...base[name], [variable]: value });
      assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      const line = JSON.parse(lines[0]);
      assert.equal(line.level, 'error');
      assert.match(line.msg, /^bad configuration: /);
      assert.match(line.msg, expected);
    });
  }

  test(`${name}: the effective configuration is logged once, secrets masked, unknown PULSE_* warned`, async () => {
    // A setting that fails after the configuration is read (unreachable database / bus endpoint
    // in use is not needed): a port that is not ours to bind makes both exit fast.
    const env = { ...base[name], PULSE_NO_SUCH_SETTING: '1', LOG_LEVEL: 'info', HOST: '203.0.113.1' };
    if (name === 'pulse-lifecycle') env.DATABASE_URL = 'postgresql://pulse:hunter2@127.0.0.1:1/pulse';
    const r = run(binary, [], env);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, /hunter2/);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const configs = lines.filter((l) => l.msg === 'configuration');
    assert.equal(configs.length, 1, r.stderr);
    assert.equal(configs[0].version, version);
    assert.equal(configs[0].settings.HOST, '203.0.113.1');
    if (name === 'pulse-lifecycle') assert.equal(configs[0].settings.DATABASE_URL, '(set)');
    const warned = lines.filter((l) => l.msg === 'unknown variable ignored').map((l) => l.variable);
    assert.deepEqual(warned, ['PULSE_NO_SUCH_SETTING']);
  });
}

test('pulse-gateway: IO_THREADS=auto follows the CPUs this process may use (affinity)', async () => {
  const gateway = binaries.find(([n]) => n === 'pulse-gateway')?.[1];
  assert.ok(gateway);
  const { spawn } = require('node:child_process');
  // taskset (util-linux) pins the process to CPU 0: one usable CPU whatever the machine has.
  const child = spawn('taskset', ['-c', '0', gateway], {
    env: { PATH: process.env.PATH, PORT: '0', PULSE_BUS_CONNECT: 'tcp://127.0.0.1:1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 10000);
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const line = err.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
  });
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  const config = JSON.parse(err.split('\n').find((l) => l.includes('"msg":"configuration"')));
  assert.equal(config.settings.IO_THREADS, 'auto');
  assert.equal(listening.io_threads, 1);
});
