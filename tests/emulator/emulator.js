'use strict';
// Milvus 2.x server emulator for tests: serves milvus.proto.milvus.MilvusService
// over real gRPC on 127.0.0.1, plus an HTTP control port for fault injection
// and state inspection: GET /state (collections, partitions with their ids,
// tasks, calls, faults), GET /rows[?collection=C] (every imported row: id and
// vector bytes), GET /calls, GET /calls?by=collection, POST /faults,
// POST /faults/reset (state.js lists the faults).
//
//   node emulator.js --port P --control-port C --generation 2.2|2.3|2.4|2.5|2.6|3.0
//        [--version vX.Y.Z] [--auth user:password] [--storage-dir DIR]
//        [--s3-endpoint URL --s3-bucket B --s3-access-key AK --s3-secret-key SK [--s3-region R]]
//        [--azure-endpoint URL --azure-account A --azure-key BASE64 --azure-container C]
//        [--ready-file F] [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]
// Port 0 picks a free port; the ready file F receives {port, controlPort, pid}.
// --version reports another build of the generation (generation.js says
// what differs, e.g. v2.2.8 has no databases, v2.6.18 answers 2100 for a
// missing job). Imports read only Milvus's own storage: --storage-dir (the
// local storage, as far as this host shares it) or the bucket.

const fs = require('node:fs');
const http = require('node:http');
const grpc = require('@grpc/grpc-js');
const { Store } = require('./state');
const { createServer } = require('./server');
const { AZURE_OPTIONS, azureFromOptions } = require('./azureget');
const { resolveGeneration } = require('./generation');

const USAGE = 'usage: node emulator.js --port P --control-port C --generation 2.2|2.3|2.4|2.5|2.6|3.0 [--version vX.Y.Z] '
  + '[--auth user:password] '
  + '[--storage-dir DIR] [--s3-endpoint URL --s3-bucket B --s3-access-key AK --s3-secret-key SK [--s3-region R]] '
  + '[--ready-file F] [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]';

const OPTIONS = ['port', 'control-port', 'generation', 'version', 'auth', 'storage-dir', 's3-endpoint', 's3-bucket',
  's3-access-key', 's3-secret-key', 's3-region', 'ready-file', 'tls-cert', 'tls-key', 'tls-client-ca'];

OPTIONS.push(...AZURE_OPTIONS);

function die(msg) {
  process.stderr.write(`emulator: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !OPTIONS.includes(name)) die(`unknown argument '${argv[i]}'`);
    if (i + 1 >= argv.length) die(`${argv[i]} needs a value`);
    o[name] = argv[i + 1];
  }
  for (const req of ['port', 'control-port', 'generation']) if (!o[req]) die(`--${req} is required`);
  const generation = resolveGeneration(o.generation, o.version);
  if (typeof generation === 'string') die(generation);
  const cfg = {
    port: Number(o.port), controlPort: Number(o['control-port']), generation,
    readyFile: o['ready-file'], storageDir: o['storage-dir'], auth: null, s3: null, tls: null,
  };
  if (o['tls-cert'] || o['tls-key'] || o['tls-client-ca']) {
    if (!o['tls-cert'] || !o['tls-key']) die('TLS needs both --tls-cert and --tls-key');
    // --tls-client-ca makes it Milvus's tlsMode 2: a client certificate signed by that CA is required.
    cfg.tls = { cert: o['tls-cert'], key: o['tls-key'], clientCa: o['tls-client-ca'] };
  }
  if (o.auth) {
    const colon = o.auth.indexOf(':');
    if (colon <= 0) die('--auth must be user:password');
    cfg.auth = { user: o.auth.slice(0, colon), password: o.auth.slice(colon + 1) };
  }
  const s3Keys = ['s3-endpoint', 's3-bucket', 's3-access-key', 's3-secret-key'];
  if (s3Keys.some((k) => o[k])) {
    const missing = s3Keys.filter((k) => !o[k]);
    if (missing.length) die(`S3 storage needs ${missing.map((k) => `--${k}`).join(', ')}`);
    cfg.s3 = {
      endpoint: o['s3-endpoint'], bucket: o['s3-bucket'], accessKey: o['s3-access-key'],
      secretKey: o['s3-secret-key'], region: o['s3-region'] || 'us-east-1',
    };
  }
  cfg.azure = azureFromOptions(o, die);
  const storages = [cfg.storageDir, cfg.s3, cfg.azure].filter(Boolean).length;
  if (storages !== 1) {
    die('Milvus reads imports from one storage: give --storage-dir DIR (local storage) or one bucket (--s3-* or --azure-*)');
  }
  return cfg;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function controlServer(store) {
  return http.createServer(async (req, res) => {
    const reply = (code, obj) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(obj)}\n`);
    };
    try {
      if (req.method === 'GET' && req.url === '/state') return reply(200, store.snapshot());
      // The rows themselves (ids and vector bytes), all or of one collection.
      const url = new URL(req.url, 'http://control');
      if (req.method === 'GET' && url.pathname === '/rows') {
        const only = url.searchParams.get('collection');
        return reply(200, store.rowsSnapshot(only === null ? undefined : only));
      }
      if (req.method === 'GET' && req.url === '/calls') return reply(200, store.calls);
      if (req.method === 'GET' && req.url === '/calls?by=collection') return reply(200, store.callsByCollection);
      if (req.method === 'POST' && req.url === '/faults/reset') {
        store.resetFaults();
        return reply(200, store.faults);
      }
      if (req.method === 'POST' && req.url === '/faults') {
        const body = await readBody(req);
        let patch;
        try {
          patch = JSON.parse(body);
        } catch (e) {
          return reply(400, { error: `faults body is not JSON: ${e.message}` });
        }
        try {
          store.setFaults(patch);
        } catch (e) {
          return reply(400, { error: e.message });
        }
        return reply(200, store.faults);
      }
      return reply(404, { error: `no route ${req.method} ${req.url}` });
    } catch (e) {
      return reply(500, { error: e.message });
    }
  });
}

function main() {
  const cfg = parseArgs(process.argv.slice(2));
  if (cfg.storageDir) fs.mkdirSync(cfg.storageDir, { recursive: true });
  const store = new Store(cfg.generation, { storageDir: cfg.storageDir, s3: cfg.s3, azure: cfg.azure });
  const server = createServer(store, { auth: cfg.auth, generation: cfg.generation });
  const control = controlServer(store);
  const creds = cfg.tls
    ? grpc.ServerCredentials.createSsl(
      cfg.tls.clientCa ? fs.readFileSync(cfg.tls.clientCa) : null,
      [{ cert_chain: fs.readFileSync(cfg.tls.cert), private_key: fs.readFileSync(cfg.tls.key) }],
      Boolean(cfg.tls.clientCa))
    : grpc.ServerCredentials.createInsecure();
  server.bindAsync(`127.0.0.1:${cfg.port}`, creds, (err, port) => {
    if (err) die(`cannot listen on 127.0.0.1:${cfg.port}: ${err.message}`);
    control.on('error', (e) => die(`cannot listen on 127.0.0.1:${cfg.controlPort}: ${e.message}`));
    control.listen(cfg.controlPort, '127.0.0.1', () => {
      // --port 0 / --control-port 0 let the system choose; report what it chose.
      const controlPort = control.address().port;
      process.stderr.write(`emulator: Milvus ${cfg.generation.generation} on 127.0.0.1:${port}, control on 127.0.0.1:${controlPort}`
        + `${cfg.auth ? ', auth on' : ''}${cfg.tls ? (cfg.tls.clientCa ? ', mutual TLS' : ', TLS') : ''}${cfg.s3 ? `, S3 bucket ${cfg.s3.bucket}` : ''}\n`);
      if (cfg.readyFile) {
        const tmp = `${cfg.readyFile}.tmp`;
        fs.writeFileSync(tmp, `${JSON.stringify({ port, controlPort, pid: process.pid })}\n`);
        fs.renameSync(tmp, cfg.readyFile);
      }
    });
  });
  const stop = () => {
    control.close();
    server.forceShutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
