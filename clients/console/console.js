// The Pulse console's script (index.html loads it after socket.io.min.js; served at
// /console/console.js). No inline code: the page's CSP allows scripts from this origin only.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const DEMO_SENDER = 'GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ';
  const ADDRESS = /^([GC][A-Z2-7]{55}|M[A-Z2-7]{68})$/;
  let socket = null;
  let address = null;
  let connects = 0;
  let eventCount = 0;

  $('sender').value = DEMO_SENDER;
  $('stream-id').value = 'console-' + Date.now().toString(36);

  function log(text) {
    const line = new Date().toISOString().slice(11, 23) + '  ' + text + '\n';
    $('log').textContent = line + $('log').textContent.slice(0, 20000);
  }
  function setState(text, cls) {
    $('state').textContent = text;
    $('state').className = cls || '';
  }
  function transportName() {
    return socket && socket.io.engine && socket.io.engine.transport ? socket.io.engine.transport.name : '–';
  }
  function showTransport() { $('transport').textContent = transportName(); }
  function setConnected(on) {
    for (const id of ['fire-stream', 'fire-withdrawal', 'fire-cancellation', 'reconnect', 'disconnect']) $(id).disabled = !on;
  }

  // The account of a SEP-10 JWT (its `sub`, "G…" or "G…:memo"): read only, the gateway verifies it.
  function subOfToken(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(part + '='.repeat((4 - part.length % 4) % 4)), (c) => c.charCodeAt(0));
      const json = JSON.parse(new TextDecoder().decode(bytes));
      return typeof json.sub === 'string' ? json.sub.split(':')[0] : null;
    } catch (e) {
      return null;
    }
  }

  function addRow(event, details, latencyMs, extraClass) {
    eventCount += 1;
    $('count').textContent = String(eventCount);
    const tr = document.createElement('tr');
    tr.className = 'row event-row';
    tr.dataset.event = event;
    const cells = [
      new Date().toISOString().slice(11, 23),
      event,
      details,
      latencyMs === null ? '–' : latencyMs + ' ms',
      transportName(),
    ];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 1) td.className = 'event-' + event + (extraClass ? ' ' + extraClass : '');
      if (i === 3) td.className = 'latency';
      tr.appendChild(td);
    });
    $('events').prepend(tr);
  }

  // Latency: the event's timestamp is when the lifecycle made it (same clock on one machine;
  // across machines it includes their clock difference), so arrival - timestamp is the pipeline's
  // delay from the database commit to this tab.
  function latencyOf(payload) {
    const t = Date.parse(payload && payload.timestamp);
    return Number.isFinite(t) ? Math.max(0, Date.now() - t) : null;
  }

  function connect() {
    const input = $('target').value.trim();
    let auth;
    if (ADDRESS.test(input)) {
      address = input;
    } else if (input.split('.').length === 3) {
      auth = { token: input };
      address = subOfToken(input);
      if (!address) { setState('token has no sub', 'bad'); return; }
    } else {
      setState('enter a Stellar address or a token', 'bad');
      return;
    }
    if (socket) socket.close();
    connects = 0;
    $('reconnects').textContent = '0';
    setState('connecting', 'warn');
    socket = io(location.origin, { auth, reconnectionDelayMax: 2000 });
    socket.on('connect', () => {
      connects += 1;
      $('reconnects').textContent = String(connects - 1);
      $('sid').textContent = socket.id;
      setState('connected', 'ok');
      showTransport();
      setConnected(true);
      socket.io.engine.once('upgrade', () => { showTransport(); log('transport upgraded to ' + transportName()); });
      log((connects > 1 ? 'reconnected' : 'connected') + ' over ' + transportName() + '; joining stream-' + address);
      socket.timeout(10000).emit('join-stream-room', address, (err, ack) => {
        if (err) log('no join acknowledgement within 10 s');
        else if (!ack.ok) log('join refused: ' + ack.error);
      });
    });
    socket.on('joined-room', (p) => {
      $('room').textContent = p.roomName;
      setState('joined', 'ok');
      log('joined ' + p.roomName);
    });
    socket.on('room-error', (p) => {
      addRow('room-error', p.error, null, 'bad');
      setState('join refused', 'bad');
    });
    socket.on('new-stream', (p) => {
      addRow('new-stream', p.streamId + ' ' + p.status + ' ' + p.amount + ' (' + p.sender.slice(0, 6) + '… → ' + p.receiver.slice(0, 6) + '…)', latencyOf(p));
    });
    socket.on('balance-update', (p) => {
      addRow('balance-update', p.address.slice(0, 6) + '… newBalance ' + p.newBalance, latencyOf(p));
    });
    socket.on('disconnect', (reason) => {
      setState('disconnected: ' + reason, 'warn');
      $('room').textContent = '–';
      showTransport();
      if (reason === 'io client disconnect') setConnected(false);
      log('disconnected (' + reason + ')');
    });
    socket.on('connect_error', (err) => {
      setState('connect error: ' + err.message, 'bad');
      log('connect error: ' + err.message + (err.data ? ' ' + JSON.stringify(err.data) : ''));
    });
  }

  async function fire(name) {
    const streamId = $('stream-id').value.trim();
    const bodies = {
      // The joined address is the receiver: new-stream goes to both rooms, balance-update to the
      // receiver's only, so this tab sees all three events.
      'test-stream': { streamId, sender: $('sender').value.trim(), receiver: address, amount: '1000000000' },
      'test-withdrawal': { streamId, amount: '500000000' },
      'test-cancellation': { streamId, toReceiver: '750000000', toSender: '250000000' },
    };
    try {
      const res = await fetch('../api/test/' + name, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bodies[name]),
      });
      const body = await res.json().catch(() => ({}));
      log('POST /api/test/' + name + ' → ' + res.status + (body.error ? ' ' + body.error : body.seq ? ' seq ' + body.seq : ''));
      // A canceled stream is done: the next test-stream starts a new one.
      if (name === 'test-cancellation' && res.ok) $('stream-id').value = 'console-' + Date.now().toString(36);
    } catch (e) {
      log('POST /api/test/' + name + ' failed: ' + e.message);
    }
  }

  $('join').addEventListener('click', connect);
  $('target').addEventListener('keydown', (e) => { if (e.key === 'Enter') connect(); });
  $('disconnect').addEventListener('click', () => { if (socket) socket.disconnect(); });
  // Closing the engine (not the socket) is what a network drop looks like: the manager reconnects.
  $('reconnect').addEventListener('click', () => { if (socket) socket.io.engine.close(); });
  $('fire-stream').addEventListener('click', () => fire('test-stream'));
  $('fire-withdrawal').addEventListener('click', () => fire('test-withdrawal'));
  $('fire-cancellation').addEventListener('click', () => fire('test-cancellation'));
  if (typeof io !== 'function') setState('socket.io client bundle did not load', 'bad');
  const preset = new URLSearchParams(location.search).get('address');
  if (preset) $('target').value = preset;
})();
