'use strict';
// Preloaded (node --require) by tests, the demo and benchmarks: any TCP/TLS connection or DNS lookup to a host that
// is not loopback fails at once, before a packet leaves. A forgotten endpoint override (IMDS at 169.254.169.254,
// management.azure.com, Azurite telemetry) becomes a red test instead of a hang or a leak.
const net = require('node:net');
const dns = require('node:dns');

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

function refuse(host) {
  const err = new Error(`loopback guard: connection to non-loopback host "${host}" refused (tests and the demo may only reach 127.0.0.1)`);
  err.code = 'ELOOPBACKGUARD';
  return err;
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let opts = args[0];
  if (Array.isArray(opts)) opts = opts[0];
  let host;
  if (opts && typeof opts === 'object') {
    if (opts.path) return originalConnect.apply(this, args); // unix socket
    host = opts.host;
  } else if (typeof opts === 'number' || (typeof opts === 'string' && /^\d+$/.test(opts))) {
    host = typeof args[1] === 'string' ? args[1] : undefined;
  } else if (typeof opts === 'string') {
    return originalConnect.apply(this, args); // unix socket path
  }
  if (!isLoopback(host)) {
    const err = refuse(host);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};

const originalLookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (!isLoopback(hostname)) {
    process.nextTick(() => cb(refuse(hostname)));
    return {};
  }
  return originalLookup.call(dns, hostname, options, callback);
};
const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromiseLookup(hostname, options) {
  if (!isLoopback(hostname)) return Promise.reject(refuse(hostname));
  return originalPromiseLookup.call(dns.promises, hostname, options);
};

module.exports = { isLoopback };
