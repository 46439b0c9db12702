'use strict';
// Drives a running emulator's Query, loading and index rules with the
// official Node SDK's gRPC channel and checks the exact answers Milvus gives
// (query.js cites where each comes from). Exits 1 if any check fails.
//
//   node query_smoke.js --address 127.0.0.1:P --generation 2.3|2.5 --storage-dir DIR

const fs = require('node:fs');
const path = require('node:path');
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

// numpy.save's bytes (format 1.0, C order).
function npy(descr, shape, body) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((11 + header.length) % 64)) % 64) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

// Staged files of one import: ids, and row r's vector = [r + base, ...].
function stage(name, ids, base) {
  const dir = path.join(args['storage-dir'], name);
  fs.mkdirSync(dir, { recursive: true });
  const idb = Buffer.alloc(ids.length * 8);
  ids.forEach((v, i) => idb.writeBigInt64LE(BigInt(v), i * 8));
  const vb = Buffer.alloc(ids.length * 4 * 4);
  for (let i = 0; i < ids.length * 4; i++) vb.writeFloatLE(base + i, i * 4);
  fs.writeFileSync(path.join(dir, 'id.npy'), npy('<i8', [ids.length], idb));
  fs.writeFileSync(path.join(dir, 'data.npy'), npy('<f4', [ids.length, 4], vb));
  return [`${name}/id.npy`, `${name}/data.npy`];
}

// An invalid-parameter refusal: 2.5 wraps it as merr ErrParameterInvalid
// (code 1100), 2.3 returns the bare text (status.js).
function refusal(text) {
  return gen === '2.3' ? [true, text] : [1100, `${text}: invalid parameter`];
}
const refused = (st) => [gen === '2.3' ? st.code > 0 : st.code, st.reason];

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function main() {
  const c = new MilvusClient({ address: args.address, maxRetries: 0 });
  await c.connectPromise;
  const call = (rpc, req) => promisify(c.channelPool, rpc, req, 10000);
  const coll = 'q';
  await c.createCollection({ collection_name: coll, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'data', data_type: DataType.FloatVector, dim: 4 },
  ] });
  const collId = (await c.describeCollection({ collection_name: coll })).collectionID;
  const importAndWait = async (files) => {
    const imp = await c.bulkInsert({ collection_name: coll, files });
    for (let i = 0; i < 300; i++) {
      const s = await call('GetImportState', { task: imp.tasks[0] });
      if (s.state === 'ImportCompleted') return;
      await sleep(20);
    }
    throw new Error('import did not complete');
  };
  // Ids 5, 7, 5, 9: two rows under 5 (vectors from 0 and from 8).
  await importAndWait(stage('first', [5, 7, 5, 9], 0));
  const query = (expr, extra = {}) => call('Query', {
    collection_name: coll, expr, output_fields: ['data'], consistency_level: 0, use_default_consistency: false, ...extra,
  });
  const answer = (r) => [r.status.code, r.fields_data.map((f) => (f.scalars ? f.scalars.long_data.data
    : f.vectors.float_vector.data))];

  let r = await query('id in [5]');
  check('Query before load: 101 collection not loaded', [r.status.code, r.status.reason],
    [101, `collection not loaded[collection=${collId}]`]);
  let s = await call('LoadCollection', { collection_name: coll });
  check('LoadCollection without an index: 700', [s.code, s.reason], [700, `index not found[collection=${coll}]`]);
  s = await call('CreateIndex', { collection_name: coll, field_name: 'data', extra_params: [
    { key: 'index_type', value: 'FLAT' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{}' }] });
  check('CreateIndex FLAT', s.code, 0);
  s = await call('LoadCollection', { collection_name: coll });
  check('LoadCollection', s.code, 0);
  let state = '';
  for (let i = 0; i < 200 && state !== 'LoadStateLoaded'; i++) {
    state = (await call('GetLoadState', { collection_name: coll })).state;
    if (state !== 'LoadStateLoaded') await sleep(20);
  }
  check('GetLoadState reaches Loaded', state, 'LoadStateLoaded');

  // Id 5 once (its first row), 42 absent; ids ascending.
  r = await query('id in [9, 5, 42]');
  check('Query id in [...]: duplicate id answered once, first row seen', answer(r),
    [0, [['5', '9'], [0, 1, 2, 3, 12, 13, 14, 15]]]);
  r = await query('id == 7');
  check('Query id == 7', answer(r), [0, [['7'], [4, 5, 6, 7]]]);
  r = await query('id in [5]', { query_params: [{ key: 'limit', value: '16385' }] });
  check('limit above maxQueryResultWindow refused', refused(r.status),
    refusal('(offset+limit) should be in range [1, 16384], but got 16385'));
  r = await query('');
  check('empty expression without a limit refused', refused(r.status),
    refusal('empty expression should be used with limit'));

  // A later import: not read until a refresh (or the next target update),
  // then its row of id 5 wins over the first import's.
  await importAndWait(stage('second', [11, 5], 100));
  r = await query('id in [5, 11]');
  check('rows imported after the load are not read yet', answer(r), [0, [['5'], [0, 1, 2, 3]]]);
  s = await call('LoadCollection', { collection_name: coll, refresh: true });
  check('LoadCollection refresh=true', s.code, 0);
  let refreshed = '0';
  for (let i = 0; i < 200 && refreshed !== '100'; i++) {
    refreshed = (await call('GetLoadingProgress', { collection_name: coll })).refresh_progress;
    if (refreshed !== '100') await sleep(20);
  }
  check('refresh_progress reaches 100', refreshed, '100');
  r = await query('id in [5, 11]');
  check('after the refresh: the new row, and id 5 from the later import', answer(r),
    [0, [['5', '11'], [104, 105, 106, 107, 100, 101, 102, 103]]]);

  s = await call('DropIndex', { collection_name: coll, field_name: 'data' });
  check('DropIndex on a loaded collection refused', refused(s),
    refusal(`vector index cannot be dropped on loaded collection: ${collId}`));
  check('ReleaseCollection', (await call('ReleaseCollection', { collection_name: coll })).code, 0);
  check('GetLoadState after release', (await call('GetLoadState', { collection_name: coll })).state, 'LoadStateNotLoad');
  check('DropIndex after release', (await call('DropIndex', { collection_name: coll, field_name: 'data' })).code, 0);
  s = await call('LoadCollection', { collection_name: coll, refresh: true });
  check('refresh of a collection not loaded: 101', s.code, 101);
  await c.closeConnection();
}

main().then(() => {
  console.log(`query smoke ${gen}: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}`);
  process.exit(failures === 0 ? 0 : 1);
}, (e) => {
  console.log(`FAIL query smoke ${gen}: ${e.stack || e}`);
  process.exit(1);
});
