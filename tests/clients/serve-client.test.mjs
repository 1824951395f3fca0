// The real pulse-gateway serving what the Node server's serveClient serves, checked with fetch:
// the socket.io-client bundles byte for byte as npm ships them (the version this repository
// pins), ETag / If-None-Match -> 304, Content-Type and Cache-Control; an absent bundle folder
// answers 404 JSON (not Engine.IO's 400) and is logged once; /console (page, script, style) only
// with PULSE_CONSOLE=on; HEAD on each of them carries the GET's Content-Length and ETag, no body.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CLIENT_PKG = path.join(root, 'clients/js/node_modules/socket.io-client');
const GATEWAY = process.env.PULSE_GATEWAY_BIN;
const running = [];
after(() => { for (const p of running) p.kill('SIGKILL'); });

// Starts the gateway on a port the kernel picks; resolves with its base URL and its log lines.
function startGateway(env) {
  assert.ok(GATEWAY, 'PULSE_GATEWAY_BIN is set by ctest');
  const child = spawn(GATEWAY, [], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', IO_THREADS: '1', PULSE_BUS_CONNECT: 'tcp://127.0.0.1:1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${lines.join('\n')}`)), 15000);
    const onData = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        const m = /"msg":"listening".*"port":(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${m[1]}`, lines, child });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}:\n${lines.join('\n')}`)));
  });
}

// HEAD answers with the GET's status, Content-Length, ETag and Content-Type, and no body (the
// listener-level check that no body bytes follow is in unit.http).
async function assertHeadLikeGet(url, get, length) {
  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, get.status, `HEAD ${url}`);
  assert.equal(head.headers.get('content-length'), String(length), `HEAD ${url}: the GET's length`);
  for (const name of ['etag', 'content-type', 'cache-control', 'content-security-policy'])
    assert.equal(head.headers.get(name), get.headers.get(name), `HEAD ${url}: ${name}`);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
}

const FILES = ['socket.io.js', 'socket.io.min.js', 'socket.io.min.js.map', 'socket.io.esm.min.js', 'socket.io.esm.min.js.map', 'socket.io.js.map'];

test('the pinned socket.io-client bundles, byte for byte, with ETag and 304', { timeout: 30000 }, async () => {
  const version = JSON.parse(fs.readFileSync(path.join(CLIENT_PKG, 'package.json'), 'utf8')).version;
  const pinned = JSON.parse(fs.readFileSync(path.join(root, 'tests/node/package.json'), 'utf8')).dependencies['socket.io-client'];
  assert.equal(version, pinned, 'clients/js serves the socket.io-client version tests/node pins');
  const gw = await startGateway({ PULSE_CLIENT_DIST: CLIENT_PKG });
  assert.ok(gw.lines.some((l) => l.includes(`"client_bundle":"${version}"`)), gw.lines.join('\n'));
  for (const name of FILES) {
    const res = await fetch(`${gw.url}/socket.io/${name}`);
    assert.equal(res.status, 200, name);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.equals(fs.readFileSync(path.join(CLIENT_PKG, 'dist', name))), `${name} is npm's file`);
    assert.equal(res.headers.get('content-type'), name.endsWith('.map') ? 'application/json; charset=utf-8' : 'application/javascript; charset=utf-8');
    assert.equal(res.headers.get('etag'), `"${version}"`);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=0');

    for (const tag of [`"${version}"`, `W/"${version}"`]) {
      const again = await fetch(`${gw.url}/socket.io/${name}`, { headers: { 'If-None-Match': tag } });
      assert.equal(again.status, 304, `${name} revalidated with ${tag}`);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      assert.equal(again.headers.get('etag'), `"${version}"`);
    }
    const stale = await fetch(`${gw.url}/socket.io/${name}`, { headers: { 'If-None-Match': '"4.0.0"' } });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();

    await assertHeadLikeGet(`${gw.url}/socket.io/${name}`, res, body.length);
  }
  // Engine.IO still owns the rest of /socket.io/.
  const handshake = await fetch(`${gw.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(handshake.status, 200);
  assert.match(await handshake.text(), /^0\{"sid":"/);
  // The console is off by default.
  const consolePage = await fetch(`${gw.url}/console`);
  assert.equal(consolePage.status, 404);
  assert.match((await consolePage.json()).error, /PULSE_CONSOLE=on/);
});

test('without a bundle folder: 404 JSON for the bundle URLs, one warning at start', { timeout: 30000 }, async () => {
  const gw = await startGateway({ PULSE_CLIENT_DIST: '/nonexistent/socket.io-client' });
  for (const name of FILES) {
    const res = await fetch(`${gw.url}/socket.io/${name}`);
    assert.equal(res.status, 404, name);
    assert.match(res.headers.get('content-type'), /application\/json/);
    assert.match((await res.json()).error, /not installed/);
  }
  await new Promise((r) => setTimeout(r, 200));
  const warnings = gw.lines.filter((l) => l.includes('socket.io client bundle not served'));
  assert.equal(warnings.length, 1, gw.lines.join('\n'));
  assert.match(warnings[0], /no package.json in \/nonexistent\/socket.io-client/);
});

test('PULSE_CONSOLE=on serves the console page', { timeout: 30000 }, async () => {
  const gw = await startGateway({ PULSE_CLIENT_DIST: CLIENT_PKG, PULSE_CONSOLE: 'on' });
  const res = await fetch(`${gw.url}/console`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(res.headers.get('content-security-policy'), /connect-src 'self'/);
  assert.doesNotMatch(res.headers.get('content-security-policy'), /unsafe-inline/);
  const html = await res.text();
  assert.equal(html, fs.readFileSync(path.join(root, 'clients/console/index.html'), 'utf8'));
  const again = await fetch(`${gw.url}/console`, { headers: { 'If-None-Match': res.headers.get('etag') } });
  assert.equal(again.status, 304);
  await assertHeadLikeGet(`${gw.url}/console`, res, Buffer.byteLength(html));
  // The page's script and style, byte for byte, HEAD included.
  for (const [file, type] of [['console.js', 'application/javascript'], ['console.css', 'text/css']]) {
    const part = await fetch(`${gw.url}/console/${file}`);
    assert.equal(part.status, 200, file);
    assert.equal(part.headers.get('content-type'), `${type}; charset=utf-8`);
    const body = await part.text();
    assert.equal(body, fs.readFileSync(path.join(root, 'clients/console', file), 'utf8'));
    await assertHeadLikeGet(`${gw.url}/console/${file}`, part, Buffer.byteLength(body));
  }
});
