'use strict';
// Regression tests for the published engine.io / socket.io-parser / socket.io / ws advisories:
// the input each one describes, sent to the real pulse-gateway, closes (at most) the connection
// that sent it, and a bystander socket keeps working; the process stays up.
//   CVE-2022-21676 engine.io  WebSocket frame with RSV2/RSV3 set crashed the server
//   CVE-2022-2421  socket.io-parser  binary placeholders of the wrong type (type confusion)
//   CVE-2022-41940 engine.io  a connection reset during a request crashed the server
//   CVE-2023-31125 engine.io  a crafted upgrade / socket error during it crashed the server
//   CVE-2023-32695 socket.io-parser  a placeholder with a bad index threw an uncaught exception
//   CVE-2024-38355 socket.io  an "error" event sent by a client crashed the server
//   CVE-2024-37890 ws  an upgrade request with more headers than allowed crashed the server
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { account, startInjector, connectClient, emitWithAck, h } = require('./lib');

const GATEWAY_BIN = process.env.PULSE_GATEWAY_BIN;
const INJECT_BIN = process.env.PULSE_BUS_INJECT_BIN;
let bus;
let gateway;
let bystander;
let bystanderGone = 'still connected';

function frame(first, payload) {
  const mask = Buffer.from([9, 8, 7, 6]);
  const body = Buffer.from(payload);
  const head = body.length < 126 ? Buffer.from([first, 0x80 | body.length])
    : Buffer.from([first, 0x80 | 126, body.length >> 8, body.length & 0xff]);
  const out = Buffer.concat([head, mask, body]);
  for (let i = 0; i < body.length; i++) out[head.length + 4 + i] ^= mask[i & 3];
  return out;
}
const text = (s) => frame(0x81, Buffer.from(s));
const binary = (b) => frame(0x82, b);

const UPGRADE = 'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n' +
  'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

// Upgrades, sends `frames` once the Engine.IO open packet arrived, resolves when the server
// closes the connection (close frame or TCP close) with { code } (code: the close frame's).
function attack(frames, { extraHeaders = '', expectClose = true } = {}) {
  return h.withTimeout(new Promise((resolve, reject) => {
    const sock = net.connect(gateway.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let code = null;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.slice(0, end).toString().split('\r\n')[0];
        if (!status.startsWith('HTTP/1.1 101')) { code = status; return; }
        upgraded = true;
        buf = buf.slice(end + 4);
        for (const f of frames) sock.write(f);
        // A packet that is valid (or harmless) need not close anything: hang up after a moment.
        if (!expectClose) setTimeout(() => sock.destroy(), 300);
      }
      while (buf.length >= 2) {
        const len = buf[1] & 0x7f;
        const hdr = len === 126 ? 4 : len === 127 ? 10 : 2;
        const size = len === 126 ? buf.readUInt16BE(2) : len === 127 ? Number(buf.readBigUInt64BE(2)) : len;
        if (buf.length < hdr + size) return;
        if ((buf[0] & 0x0f) === 8) code = size >= 2 ? buf.readUInt16BE(hdr) : 1005;
        buf = buf.slice(hdr + size);
      }
    });
    sock.on('close', () => resolve({ code }));
    sock.on('error', reject);
    sock.write(UPGRADE + extraHeaders + '\r\n');
  }), 8000, 'the server closing the attacking connection');
}

async function stillFine() {
  assert.equal(gateway.proc.exitCode, null, 'the gateway exited');
  assert.equal(bystander.connected, true,
    `the bystander was disconnected (${bystanderGone}); the gateway's log:\n${gateway.log().slice(-4000)}`);
  const ack = await emitWithAck(bystander, 'join-stream-room', account(31337));
  assert.equal(ack.ok, true, `the bystander's join was refused: ${JSON.stringify(ack)}`);
  assert.equal((await h.request(`${gateway.origin}/health`)).status, 200);
}

before(async () => {
  bus = await startInjector(INJECT_BIN);
  // The bystander joins once per check, a dozen times in about a second: the default of 10
  // joins a second per socket refused the last ones ("rate-limited") whenever the first five
  // tests fell within one second. rate-limits.test.js tests that limit; here it is lifted.
  gateway = await h.startServer(GATEWAY_BIN, {
    PULSE_BUS_CONNECT: bus.endpoint, IO_THREADS: '1', PULSE_MAX_JOINS_PER_S: '0',
  });
  bystander = await connectClient(gateway.origin, { transports: ['websocket'] });
  bystander.on('disconnect', (reason) => { bystanderGone = reason; });
});
after(async () => {
  bystander?.disconnect();
  await gateway?.stop();
  await bus?.stop();
});

test('CVE-2022-21676: RSV2/RSV3 bits close that connection with 1002', async () => {
  const r = await attack([frame(0x80 | 0x20 | 0x10 | 0x1, Buffer.from('4x'))]);
  assert.equal(r.code, 1002);
  await stillFine();
});

test('CVE-2022-2421 / CVE-2023-32695: placeholders of the wrong type or index close that connection', async () => {
  const attachments = [binary(Buffer.from([1, 2, 3])), binary(Buffer.from([4]))];
  for (const packet of [
    '451-["ev",{"_placeholder":true,"num":"__proto__"}]',
    '451-["ev",{"_placeholder":true,"num":99}]',
    '451-["ev",{"_placeholder":true,"num":-1}]',
    '451-["ev",{"_placeholder":true,"num":1.5}]',
    '45999999999999999999-["ev"]',
  ]) {
    const r = await attack([text('40'), text(packet), ...attachments]);
    assert.ok(r.code === null || r.code >= 1000, `${packet}: ${JSON.stringify(r)}`);
    await stillFine();
  }
  // Well-formed shapes that only look like placeholders: taken as data or ignored, never a crash.
  for (const packet of [
    '452-["ev",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]',
    '42["ev",{"_placeholder":true,"num":0}]',
  ]) {
    await attack([text('40'), text(packet), ...attachments], { expectClose: false });
    await stillFine();
  }
});

test('CVE-2024-38355: an "error" event from a client harms nothing', async () => {
  const c = await connectClient(gateway.origin, { transports: ['websocket'] });
  c.emit('error', 'boom');
  c.emit('error');
  await h.sleep(200);
  await stillFine();
  c.disconnect();
});

test('CVE-2022-41940 / CVE-2023-31125: connections reset during an upgrade or a polling request', async () => {
  for (const bytes of [UPGRADE, UPGRADE + '\r\n', 'POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n4he']) {
    const sock = net.connect(gateway.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(bytes);
    await h.sleep(20);
    sock.resetAndDestroy();
  }
  // A polling session whose transport resets mid-upgrade.
  const hs = await h.handshake(gateway, '/socket.io/');
  const s = net.connect(gateway.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(UPGRADE.replace('transport=websocket', `transport=websocket&sid=${hs.sid}`) + '\r\n');
  await h.sleep(20);
  s.resetAndDestroy();
  await h.sleep(100);
  await stillFine();
});

test('CVE-2024-37890: an upgrade with thousands of headers is refused, nothing else harmed', async () => {
  let extra = '';
  for (let i = 0; i < 3000; i++) extra += `X-H${i}: v\r\n`;
  const r = await attack([], { extraHeaders: extra });
  assert.ok(r.code === null || /^HTTP\/1\.1 4\d\d/.test(String(r.code)), JSON.stringify(r));
  await stillFine();
});
