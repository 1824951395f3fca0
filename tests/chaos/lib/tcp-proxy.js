'use strict';
// A small TCP proxy for network faults between two of our processes (e.g. a gateway's ZeroMQ SUB
// and the lifecycle's PUB): forwards bytes both ways and can cut every connection (and refuse new
// ones for a while) or delay every chunk. Listens on 127.0.0.1, a free port.
const net = require('node:net');

class TcpProxy {
  constructor(targetPort, targetHost = '127.0.0.1') {
    this.target = { port: targetPort, host: targetHost };
    this.pairs = new Set();
    this.refusing = false;
    this.delayMs = 0;
    this.accepted = 0;
    this.server = net.createServer((client) => this.accept(client));
  }

  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = this.server.address().port;
        resolve(this);
      });
    });
  }

  accept(client) {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.target);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  // Forwards chunks in order; with a delay each chunk waits delayMs after it arrived.
  pipe(from, to) {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      if (this.delayMs === 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      const due = Date.now() + this.delayMs;
      chain = chain.then(() => new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())))).then(() => {
        if (!to.destroyed) to.write(chunk);
      });
    });
  }

  // Drops every open connection and refuses new ones for refuseMs.
  cut(refuseMs) {
    this.refusing = true;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    return new Promise((resolve) => setTimeout(() => {
      this.refusing = false;
      resolve();
    }, refuseMs));
  }

  close() {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

module.exports = { TcpProxy };
