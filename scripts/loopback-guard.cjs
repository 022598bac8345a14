'use strict';
// Preloaded (node --require) by tests, the demo and benchmarks: any TCP/TLS connection or DNS lookup to a host that
// is not loopback fails at once, before a packet leaves — fetch, http2, tls and dgram included (they end in
// net.Socket.connect or dns.lookup), a connection with a `lookup` option of its own (judged by the addresses it
// gives), and DNS queries (resolve*, reverse, Resolver) while any nameserver is not loopback. A forgotten endpoint override (IMDS at 169.254.169.254,
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
  if (opts && typeof opts === 'object' && typeof opts.lookup === 'function' && !net.isIP(String(host ?? ''))) {
    // A lookup of one's own decides where the socket goes: judge the addresses it gives, not the name.
    opts.lookup = guardedLookupOption(opts.lookup);
    return originalConnect.apply(this, args);
  }
  if (!isLoopback(host)) {
    const err = refuse(host);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};

function guardedLookupOption(lookup) {
  if (lookup.loopbackGuarded) return lookup;
  const guarded = function guardedLookupOption(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    const wrapped = (err, address, family) => {
      if (err) return cb(err);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = addresses.find((a) => !isLoopback(a));
      if (outside !== undefined) return cb(refuse(`${hostname}" (resolved to "${outside}`));
      return cb(null, address, family);
    };
    return typeof options === 'function' ? lookup.call(this, hostname, wrapped) : lookup.call(this, hostname, options, wrapped);
  };
  guarded.loopbackGuarded = true;
  return guarded;
}

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

// resolve*, reverse and Resolvers of one's own ask the configured nameservers directly (c-ares, not getaddrinfo):
// a query leaves the machine unless every nameserver is loopback, whatever the name. lookupService asks for the
// name of an address: refused for any address but loopback.
function refuseUnlessLoopbackServers(getServers, hostname) {
  const outside = getServers().map((s) => s.replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')).find((s) => !isLoopback(s));
  return outside === undefined ? null : refuse(`${hostname}" via nameserver "${outside}`);
}
const QUERY_METHODS = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTlsa', 'resolveTxt', 'reverse'];
function guardQueries(target, getServersOf, promises) {
  for (const name of QUERY_METHODS) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = function guardedQuery(hostname, ...rest) {
      const err = refuseUnlessLoopbackServers(() => getServersOf(this), hostname);
      if (!err) return original.call(this, hostname, ...rest);
      if (promises) return Promise.reject(err);
      const cb = rest[rest.length - 1];
      if (typeof cb === 'function') process.nextTick(() => cb(err));
      return undefined;
    };
  }
}
guardQueries(dns, () => dns.getServers(), false);
guardQueries(dns.promises, () => dns.promises.getServers(), true);
guardQueries(dns.Resolver.prototype, (r) => r.getServers(), false);
guardQueries(dns.promises.Resolver.prototype, (r) => r.getServers(), true);

const originalLookupService = dns.lookupService;
dns.lookupService = function guardedLookupService(address, port, callback) {
  if (!isLoopback(address)) {
    process.nextTick(() => callback(refuse(address)));
    return undefined;
  }
  return originalLookupService.call(dns, address, port, callback);
};
const originalPromiseLookupService = dns.promises.lookupService;
dns.promises.lookupService = function guardedPromiseLookupService(address, port) {
  if (!isLoopback(address)) return Promise.reject(refuse(address));
  return originalPromiseLookupService.call(dns.promises, address, port);
};

module.exports = { isLoopback };
