// The typed contract, checked with the tools a frontend developer uses:
//  - clients/js/src/events.ts is exactly what json-schema-to-typescript makes of proto/ (drift);
//  - a changed schema is noticed (the drift check can fail);
//  - `tsc --strict` compiles the usage example, whose @ts-expect-error lines prove the generated
//    types refuse wrong payload fields, event names and argument types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const pkg = path.join(root, 'clients/js');
const generator = path.join(pkg, 'tools/generate-types.mjs');
const tsc = path.join(pkg, 'node_modules/.bin/tsc');

const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000 });

test('every schema in proto/ compiles under ajv (draft 2020-12, strict) and accepts its example', () => {
  const require = createRequire(path.join(root, 'tests/node/package.json'));
  const Ajv2020 = require('ajv/dist/2020');
  const addFormats = require('ajv-formats');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const files = fs.readdirSync(path.join(root, 'proto')).filter((f) => f.endsWith('.schema.json'));
  for (const f of files) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(root, 'proto', f), 'utf8')));
  const check = (file, value) => {
    const v = ajv.getSchema(`https://stellarstream.example/pulse/proto/${file}`);
    assert.ok(v, file);
    return v(value) ? true : ajv.errorsText(v.errors);
  };
  const a = 'GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ';
  assert.equal(check('joined-room.schema.json', { userAddress: a, roomName: `stream-${a}` }), true);
  assert.notEqual(check('joined-room.schema.json', { userAddress: a, roomName: 'lobby' }), true);
  assert.equal(check('room-error.schema.json', { userAddress: 42, error: 'userAddress must be a string' }), true);
  assert.equal(check('room-ack.schema.json', { ok: true, roomName: `stream-${a}` }), true);
  assert.equal(check('room-ack.schema.json', { ok: false, error: 'forbidden' }), true);
  assert.notEqual(check('room-ack.schema.json', { ok: false, roomName: `stream-${a}` }), true);
  assert.equal(check('join-stream-room.args.schema.json', [a]), true);
  assert.notEqual(check('join-stream-room.args.schema.json', [a, 'extra']), true);
  assert.notEqual(check('leave-stream-room.args.schema.json', []), true);
  // The event map names only schemas that exist.
  const events = JSON.parse(fs.readFileSync(path.join(root, 'proto/events.json'), 'utf8'));
  for (const spec of [...Object.values(events.serverToClient), ...Object.values(events.clientToServer), ...Object.values(events.connectError)])
    for (const f of [spec.payload, spec.args, spec.ack, spec.data].filter(Boolean)) assert.ok(files.includes(f), f);
  assert.equal(check('auth-refusal.schema.json', { code: 'bad_signature', reason: 'signature does not verify' }), true);
  assert.notEqual(check('auth-refusal.schema.json', { code: 'nope', reason: 'x' }), true);
  assert.equal(check('auth-error.schema.json', { code: 'expired', reason: 'token expired' }), true);
});

test('src/events.ts matches the schemas in proto/', () => {
  const r = run(process.execPath, [generator, '--check']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

test('a schema change without regenerating is reported as drift', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-proto-'));
  try {
    fs.cpSync(path.join(root, 'proto'), tmp, { recursive: true });
    const file = path.join(tmp, 'balance-update.schema.json');
    const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
    schema.properties.streamId = { type: 'string' };
    fs.writeFileSync(file, JSON.stringify(schema));
    const r = run(process.execPath, [generator, '--check'], { PULSE_PROTO_DIR: tmp });
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /out of date/);

    // And regenerating from the changed schemas does put the new field in the types.
    const out = path.join(tmp, 'events.ts');
    execFileSync(process.execPath, [generator], { env: { ...process.env, PULSE_PROTO_DIR: tmp, PULSE_EVENTS_TS: out } });
    assert.match(fs.readFileSync(out, 'utf8'), /interface BalanceUpdatePayload \{[^}]*streamId\?: string;/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('every event of proto/events.json is in the generated maps, and nothing else', () => {
  const events = JSON.parse(fs.readFileSync(path.join(root, 'proto/events.json'), 'utf8'));
  const ts = fs.readFileSync(path.join(pkg, 'src/events.ts'), 'utf8');
  const block = (name) => new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(ts)[1];
  const names = (body) => [...body.matchAll(/^ {2}'([^']+)':/gm)].map((m) => m[1]).sort();
  assert.deepEqual(names(block('ServerToClientEvents')), Object.keys(events.serverToClient).sort());
  assert.deepEqual(names(block('ClientToServerEvents')), Object.keys(events.clientToServer).sort());
});

test('tsc --strict compiles the usage example (and its @ts-expect-error lines are errors)', () => {
  const r = run(tsc, ['-p', path.join(here, 'tsconfig.json')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('tsc --strict refuses a wrong use of a payload', () => {
  const tmp = fs.mkdtempSync(path.join(here, '.tmp-'));
  try {
    const bad = fs.readFileSync(path.join(here, 'usage-example.ts'), 'utf8')
      .replace('const amount: string = s.amount;', 'const amount: number = s.amount;');
    fs.writeFileSync(path.join(tmp, 'usage-example.ts'), bad);
    const config = JSON.parse(fs.readFileSync(path.join(here, 'tsconfig.json'), 'utf8'));
    config.compilerOptions.paths['@stellarstream/pulse-client'] = ['../../../clients/js/src/index.ts'];
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify(config));
    const r = run(tsc, ['-p', path.join(tmp, 'tsconfig.json')]);
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Type 'string' is not assignable to type 'number'/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('the package builds with tsc (declarations included)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-client-dist-'));
  try {
    const r = run(tsc, ['-p', path.join(pkg, 'tsconfig.json'), '--outDir', out]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const f of ['index.js', 'index.d.ts', 'events.d.ts']) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.match(fs.readFileSync(path.join(out, 'index.d.ts'), 'utf8'), /export declare function connectPulse\(url: string, options\?: PulseOptions\): PulseConnection;/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
