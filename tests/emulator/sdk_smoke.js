'use strict';
// Drives a running emulator with the official Node SDK and checks exact
// answers. Exits 1 on the first group of mismatches.
//
//   node sdk_smoke.js --address 127.0.0.1:P --control-port C --generation 2.3|2.5
//        --storage-dir DIR [--auth user:password]

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const grpc = require('@grpc/grpc-js');
const { MilvusClient, DataType, promisify } = require('@zilliz/milvus2-sdk-node');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const gen = args.generation;
let failures = 0;

function check(what, actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a === e) {
    console.log(`ok   ${what}`);
  } else {
    console.log(`FAIL ${what}: got ${a}, want ${e}`);
    failures += 1;
  }
}

// The bytes numpy.save writes for a C-ordered array (format 1.0).
function npyBytes(descr, shape, body) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

function int64Npy(values) {
  const body = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => body.writeBigInt64LE(BigInt(v), i * 8));
  return npyBytes('<i8', [values.length], body);
}

function float32Npy(rows, dim) {
  const body = Buffer.alloc(rows * dim * 4);
  for (let i = 0; i < rows * dim; i++) body.writeFloatLE(i / 4, i * 4);
  return npyBytes('<f4', [rows, dim], body);
}

function controlGet(p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: Number(args['control-port']), path: p }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

function client(password) {
  const cfg = { address: args.address, maxRetries: 0 };
  if (args.auth) {
    const [user, pw] = [args.auth.slice(0, args.auth.indexOf(':')), args.auth.slice(args.auth.indexOf(':') + 1)];
    cfg.username = user;
    cfg.password = password === undefined ? pw : password;
  }
  return new MilvusClient(cfg);
}

async function waitImport(c, task, stopStates) {
  const seen = [];
  for (let i = 0; i < 200; i++) {
    const r = await promisify(c.channelPool, 'GetImportState', { task }, 5000);
    if (seen[seen.length - 1] !== r.state) seen.push(r.state);
    if (stopStates.includes(r.state)) return { last: r, seen };
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`import ${task} did not reach ${stopStates} (states seen ${seen})`);
}

function rawUnary(rpc) {
  const raw = new grpc.Client(args.address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (args.auth) md.set('authorization', Buffer.from(args.auth).toString('base64'));
  return new Promise((resolve) => {
    raw.makeUnaryRequest(`/milvus.proto.milvus.MilvusService/${rpc}`, (b) => b, (b) => b, Buffer.alloc(0), md,
      (err) => {
        raw.close();
        resolve(err ? { code: err.code, details: err.details } : 'succeeded');
      });
  });
}

function info(resp, key) {
  const kv = resp.infos.find((p) => p.key === key);
  return kv ? kv.value : undefined;
}

async function main() {
  const dir = path.join(args['storage-dir'], 'smoke');
  fs.mkdirSync(path.join(dir, 'bad'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'id.npy'), int64Npy([14, 10, 12, 11, 13]));
  fs.writeFileSync(path.join(dir, 'data.npy'), float32Npy(5, 8));
  fs.writeFileSync(path.join(dir, 'bad', 'id.npy'), int64Npy([1, 2, 3, 4, 5]));
  fs.writeFileSync(path.join(dir, 'bad', 'data.npy'), float32Npy(5, 7));

  const c = client();
  await c.connectPromise;
  check('connect status', c.connectStatus, 1);
  check('GetVersion', (await c.getVersion()).version, gen === '2.3' ? 'v2.3.21' : 'v2.5.4');

  const coll = 'smoke';
  const fields = [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'data', data_type: DataType.FloatVector, dim: 8 },
  ];
  const created = await c.createCollection({ collection_name: coll, fields });
  check('createCollection', [created.code, created.error_code], [0, 'Success']);
  const again = await c.createCollection({ collection_name: coll, fields });
  check('createCollection again (identical) is idempotent', again.code, 0);
  const shown = await c.showCollections();
  check('showCollections', shown.collection_names, [coll]);
  const described = await c.describeCollection({ collection_name: coll });
  check('describeCollection fields', described.schema.fields.map((f) => [f.name, f.data_type, f.fieldID,
    (f.type_params.find((p) => p.key === 'dim') || {}).value || null]),
  [['id', 'Int64', '100', null], ['data', 'FloatVector', '101', '8']]);
  const part = await c.createPartition({ collection_name: coll, partition_name: 'p1' });
  check('createPartition', part.code, 0);

  const imp = await c.bulkInsert({ collection_name: coll, partition_name: 'p1', files: ['smoke/id.npy', 'smoke/data.npy'] });
  check('bulkInsert status', imp.status.code, 0);
  check('bulkInsert returns one task', imp.tasks.length, 1);
  const done = await waitImport(c, imp.tasks[0], ['ImportCompleted', 'ImportFailed', 'ImportFailedAndCleaned']);
  check('import states', done.seen, gen === '2.3'
    ? ['ImportPending', 'ImportStarted', 'ImportPersisted', 'ImportCompleted'].slice(4 - done.seen.length)
    : ['ImportPending', 'ImportStarted', 'ImportCompleted'].slice(3 - done.seen.length));
  check('import final state', done.last.state, 'ImportCompleted');
  check('import row_count', done.last.row_count, '5');
  if (gen === '2.3') {
    check('2.3 task id echoed', done.last.id, imp.tasks[0]);
    check('2.3 infos', done.last.infos.map((p) => p.key),
      ['files', 'collection', 'partition', 'failed_reason', 'progress_percent']);
    check('2.3 infos files', info(done.last, 'files'), 'smoke/id.npy,smoke/data.npy');
  } else {
    check('2.5 id/collection_id zero', [done.last.id, done.last.collection_id, done.last.segment_ids], ['0', '0', []]);
    check('2.5 infos', done.last.infos.map((p) => [p.key, p.value]), [['failed_reason', ''], ['progress_percent', '100']]);
  }
  const cstats = await c.getCollectionStatistics({ collection_name: coll });
  check('collection row_count', [cstats.stats, cstats.data.row_count], [[{ key: 'row_count', value: '5' }], '5']);
  const pstats = await c.getPartitionStatistics({ collection_name: coll, partition_name: 'p1' });
  check('partition p1 row_count', pstats.data.row_count, '5');
  const dstats = await c.getPartitionStatistics({ collection_name: coll, partition_name: '_default' });
  check('partition _default row_count', dstats.data.row_count, '0');
  const state = await controlGet('/state');
  check('control state ids', state.collections[coll].partitions.p1, { rows: 5, ids: ['10', '11', '12', '13', '14'], imports: 1 });
  // The rows themselves, by id: row r of data.npy (id.npy holds 14, 10, 12,
  // 11, 13) is the float32 values (8r+k)/4.
  const wantRows = [[10, 1], [11, 3], [12, 2], [13, 4], [14, 0]].map(([id, r]) => {
    const v = Buffer.alloc(8 * 4);
    for (let k = 0; k < 8; k++) v.writeFloatLE((r * 8 + k) / 4, k * 4);
    return [String(id), v.toString('hex')];
  });
  const rows = await controlGet(`/rows?collection=${coll}`);
  check('control rows: ids and vector bytes', rows[coll].p1, { fields: ['data'], rows: wantRows });
  check('control rows: _default empty', rows[coll]._default, { fields: ['data'], rows: [] });

  const bad = await c.bulkInsert({ collection_name: coll, files: ['smoke/bad/id.npy', 'smoke/bad/data.npy'] });
  check('bad npy import is accepted', bad.status.code, 0);
  const failed = await waitImport(c, bad.tasks[0], gen === '2.3' ? ['ImportFailedAndCleaned'] : ['ImportFailed']);
  check('bad npy failed_reason', info(failed.last, 'failed_reason'), gen === '2.3'
    ? "illegal dimension 7 of numpy file for float vector field 'data', dimension should be 8: importing data failed"
    : "expected dim '8' for FloatVector field 'data', got dim '7': importing data failed");
  if (gen === '2.3') check('2.3 failure passes through ImportFailed', failed.seen.includes('ImportFailed'), true);
  check('row_count unchanged after failed import',
    (await c.getCollectionStatistics({ collection_name: coll })).data.row_count, '5');

  const twoPkReq = {
    collection_name: 'twopk',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'id2', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 4 },
    ],
  };
  const twoPkReason = gen === '2.3'
    ? 'there are more than one primary key, field name = id, id2'
    : 'there are more than one primary key, field name = id, id2: invalid parameter';
  // The high-level call throws (an Error up to SDK 2.5, the Status itself
  // from 3.0 on); the low-level one returns the Status.
  let thrown = 'no error';
  try {
    await c.createCollection(twoPkReq);
  } catch (e) {
    thrown = e instanceof Error ? e.message : e.reason;
  }
  check('two primary keys: SDK error text', thrown, twoPkReason);
  const twoPk = await c._createCollection(twoPkReq);
  check('two primary keys: Status', [twoPk.code, twoPk.error_code, twoPk.reason], gen === '2.3'
    ? [65535, 'UnexpectedError', twoPkReason] : [1100, 'IllegalArgument', twoPkReason]);

  const missing = await c.bulkInsert({ collection_name: 'nope', files: ['smoke/id.npy'] });
  check('import into missing collection', [missing.status.code, missing.status.error_code, missing.status.reason],
    [100, 'CollectionNotExists', 'collection not found[collection=nope]']);
  const noTask = await promisify(c.channelPool, 'GetImportState', { task: '12345' }, 5000);
  check('unknown task id', [noTask.status.code, noTask.status.reason], gen === '2.3'
    ? [2100, "import task id doesn't exist"] : [2100, 'import job does not exist, jobID=12345']);
  // The SDK's retry interceptor turns UNIMPLEMENTED into OK, so ask with a bare client.
  check('unimplemented RPC', await rawUnary('GetFlushState'), { code: 12,
    details: 'unknown method GetFlushState for service milvus.proto.milvus.MilvusService' });

  if (args.auth) {
    const wrong = client('not-the-password');
    let message = 'no error';
    try {
      await wrong.connectPromise;
      await wrong.showCollections();
    } catch (e) {
      message = e.message;
    }
    check('wrong password rejected', message.includes('auth check failure, please check username and password are correct'), true);
  }
  const calls = await controlGet('/calls');
  check('control counts Import calls', calls.Import, 3);
  await c.closeConnection();
}

main().then(() => {
  console.log(`sdk smoke ${gen}: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}`);
  process.exit(failures === 0 ? 0 : 1);
}, (e) => {
  console.log(`FAIL sdk smoke ${gen}: ${e.stack || e}`);
  process.exit(1);
});
