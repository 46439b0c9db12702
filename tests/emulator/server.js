'use strict';
// MilvusService handlers. Every RPC goes through one wrapper that counts it,
// applies injected outages, authenticates, checks the database and logs one
// line (never the authorization value).

const grpc = require('@grpc/grpc-js');
const st = require('./status');
const { validateCreate, schemaKey } = require('./schema');
const { STATE } = require('./state');
const { baseName } = require('./importer');
const { denial } = require('./privileges');
const { queryHandlers } = require('./query');

const { withoutMerr } = require('./generation');
const { SERVICE, loadRoot, loadService } = require('./descriptors');

function loadSchemaType() {
  return loadRoot().lookupType('milvus.proto.schema.CollectionSchema');
}

function metaValue(md, key) {
  const v = md.get(key);
  return v.length ? String(v[0]) : '';
}

// Go's base64.StdEncoding is strict where Buffer.from(…, 'base64') is not.
function strictBase64(s) {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64').toString('utf8');
}

function createServer(store, opts) {
  // Behaviour keyed on '2.3' serves 2.2 and 2.3, on '2.5' 2.4 and 2.5
  // (generation.js); the build, the RPC set and the Status shape follow the
  // generation itself.
  const gen = store.family;
  const played = opts.generation;
  const absent = new Set(played.databases ? [] : ['Connect', 'ListDatabases']);
  const schemaType = loadSchemaType();
  const service = loadService();
  let connectId = 0n;

  function authProblem(md) {
    if (!opts.auth) return null;
    const raw = metaValue(md, 'authorization');
    if (raw === '') return 'missing authorization in header';
    const decoded = strictBase64(raw);
    if (decoded === null) return 'invalid token format';
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'auth check failure, please check api key is correct';
    if (decoded.slice(0, colon) !== opts.auth.user || decoded.slice(colon + 1) !== opts.auth.password) {
      return 'auth check failure, please check username and password are correct';
    }
    return null;
  }

  function dbProblem(req, md) {
    if (!played.databases) return null; // no databases yet: the header means nothing
    const db = (req && req.db_name) || metaValue(md, 'dbname') || 'default';
    return db === 'default' ? null : st.databaseNotFound(db);
  }

  function coll(name) {
    return store.collections.get(name);
  }

  function statsResponse(status, rows) {
    return { status, stats: status.code ? [] : [{ key: 'row_count', value: String(rows) }] };
  }

  const handlers = {
    Connect() {
      connectId += 1n;
      return {
        status: st.ok(),
        server_info: {
          build_tags: played.version, build_time: 'emulated', git_commit: 'emulated',
          go_version: 'go1.21', deploy_mode: 'STANDALONE', reserved: {},
        },
        identifier: String(449000000000000000n + connectId),
      };
    },
    GetVersion: () => ({ status: st.ok(), version: played.version }),
    CheckHealth: () => ({ status: st.ok(), isHealthy: true, reasons: [], quota_states: [] }),
    ListDatabases: () => ({ status: st.ok(), db_names: ['default'], created_timestamp: ['0'], db_ids: ['1'] }),

    CreateCollection(req) {
      let decoded;
      try {
        decoded = schemaType.toObject(schemaType.decode(req.schema),
          { longs: String, enums: Number, defaults: true, arrays: true });
      } catch (e) {
        return st.fail(st.CODE.unexpected, `unmarshal schema error= ${e.message}`);
      }
      const v = validateCreate(gen, req, decoded);
      if (v.status) return v.status;
      const key = schemaKey(v.schema, req);
      const existing = coll(req.collection_name);
      if (existing) {
        if (existing.key === key) return st.ok();
        return st.fail(st.CODE.unexpected,
          `create duplicate collection with different parameters, collection: ${req.collection_name}`);
      }
      store.addCollection(req.collection_name, v.schema, key, req);
      return st.ok();
    },
    DropCollection(req) {
      store.collections.delete(req.collection_name);
      return st.ok();
    },
    HasCollection: (req) => ({ status: st.ok(), value: store.collections.has(req.collection_name) }),
    DescribeCollection(req) {
      const c = req.collection_name ? coll(req.collection_name)
        : [...store.collections.values()].find((x) => String(x.id) === String(req.collectionID));
      if (!c) return { status: st.collectionNotFound(req.collection_name || req.collectionID) };
      return {
        status: st.ok(), schema: c.schema, collectionID: String(c.id),
        virtual_channel_names: [`by-dev-rootcoord-dml_0_${c.id}v0`], physical_channel_names: ['by-dev-rootcoord-dml_0'],
        created_timestamp: c.createdTs, created_utc_timestamp: c.createdUtc, shards_num: c.shards,
        aliases: [], start_positions: [], consistency_level: c.consistency, collection_name: c.name,
        properties: [], db_name: 'default', num_partitions: String(c.partitions.size),
      };
    },
    ShowCollections(req) {
      let list = [...store.collections.values()];
      if (req.type === 1) {
        list = list.filter((c) => c.loaded && (!req.collection_names.length || req.collection_names.includes(c.name)));
      }
      return {
        status: st.ok(), collection_names: list.map((c) => c.name), collection_ids: list.map((c) => String(c.id)),
        created_timestamps: list.map((c) => c.createdTs), created_utc_timestamps: list.map((c) => c.createdUtc),
        inMemory_percentages: list.map((c) => (c.loaded ? '100' : '0')), query_service_available: list.map((c) => c.loaded),
      };
    },

    CreatePartition(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      if (!c.partitions.has(req.partition_name)) store.addPartition(c, req.partition_name);
      return st.ok();
    },
    HasPartition(req) {
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name), value: false };
      return { status: st.ok(), value: c.partitions.has(req.partition_name) };
    },
    ShowPartitions(req) {
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name) };
      let parts = [...c.partitions.values()];
      if (req.partition_names.length) parts = parts.filter((p) => req.partition_names.includes(p.name));
      return {
        status: st.ok(), partition_names: parts.map((p) => p.name), partitionIDs: parts.map((p) => String(p.id)),
        created_timestamps: parts.map((p) => p.createdTs), created_utc_timestamps: parts.map((p) => p.createdUtc),
        inMemory_percentages: parts.map(() => '0'),
      };
    },
    DropPartition(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      if (req.partition_name === '_default') return st.invalidParam(gen, 'default partition cannot be deleted');
      c.partitions.delete(req.partition_name);
      return st.ok();
    },

    Import(req, md, call) {
      recordDeadline(call);
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name), tasks: [] };
      const partition = req.partition_name || '_default';
      if (!c.partitions.has(partition)) return { status: st.partitionNotFound(partition), tasks: [] };
      const files = req.files;
      if (!files.length) return { status: st.invalidParam(gen, 'import request is empty'), tasks: [] };
      const exts = files.map((f) => baseName(f).ext);
      if (gen === '2.3') {
        if (files.length > 1 && exts.some((e) => e === '.json' || e === '.parquet')) {
          return { status: st.fail(st.CODE.unexpected, 'for JSON or parquet file, each task only accept one file'), tasks: [] };
        }
      } else {
        const known = ['.json', '.npy', '.parquet', '.csv'];
        if (!known.includes(exts[0]) || exts.some((e) => e !== exts[0])) {
          return {
            status: st.fail(st.CODE.importFailed, `unexpected file type, files=[${files.join(' ')}]: importing data failed`),
            tasks: [],
          };
        }
      }
      // Validated before the job is broadcast, so a refusal creates nothing
      // (ddl_callbacks_import.go 90-127 on 2.6; services.go 1961-1968 on 2.5).
      if (gen !== '2.3' && store.unfinishedJobs() >= store.faults.jobLimit) {
        return { status: st.importJobLimit(played), tasks: [] };
      }
      if (store.takeLateJob()) return lateJob(c, partition, files);
      const task = store.createTask(c, partition, files);
      return { status: st.ok(), tasks: [String(task.id)] };
    },
    GetImportState(req) {
      const task = store.tasks.get(String(req.task));
      if (!task || store.faults.expireTasks) {
        const status = gen === '2.3'
          ? st.fail(st.CODE.importFailed, "import task id doesn't exist", 1)
          : st.importJobMissing(played, req.task);
        return { status, infos: [] };
      }
      return taskState(task);
    },
    ListImportTasks(req) {
      let tasks = [...store.tasks.values()].filter((t) => !req.collection_name || t.collection === req.collection_name);
      tasks.sort((a, b) => (a.id < b.id ? -1 : 1));
      if (gen === '2.3') {
        const limit = Number(req.limit);
        if (limit > 0) tasks = tasks.slice(-limit);
        return { status: st.ok(), tasks: tasks.map(taskState) };
      }
      return {
        status: st.ok(),
        tasks: tasks.map((t) => ({ ...taskState(t), row_count: '0', create_ts: '0' })),
      };
    },

    GetCollectionStatistics(req) {
      const c = coll(req.collection_name);
      if (!c) return statsResponse(st.collectionNotFound(req.collection_name));
      return statsResponse(st.ok(), store.collectionRows(c));
    },
    GetPartitionStatistics(req) {
      const c = coll(req.collection_name);
      if (!c) return statsResponse(st.collectionNotFound(req.collection_name));
      const p = c.partitions.get(req.partition_name);
      if (!p) return statsResponse(st.partitionNotFound(req.partition_name));
      return statsResponse(st.ok(), p.rows);
    },
    Flush(req) {
      const missing = req.collection_names.find((n) => !coll(n));
      if (missing !== undefined) return { status: st.collectionNotFound(missing) };
      const ts = String(BigInt(Date.now()) << 18n);
      const segs = {};
      const empty = {};
      const seal = {};
      const flushTs = {};
      for (const n of req.collection_names) {
        segs[n] = { data: [] };
        empty[n] = { data: [] };
        seal[n] = String(Math.floor(Date.now() / 1000));
        flushTs[n] = ts;
      }
      return {
        status: st.ok(), db_name: 'default', coll_segIDs: segs, flush_coll_segIDs: empty,
        coll_seal_times: seal, coll_flush_ts: flushTs, channel_cps: {},
      };
    },

    CreateIndex(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      const field = c.schema.fields.find((f) => f.name === req.field_name);
      if (!field) return st.invalidParam(gen, `cannot create index on non-exist field: ${req.field_name}`);
      const name = req.index_name || `_default_idx_${field.fieldID}`;
      const params = req.extra_params.map((p) => ({ key: p.key, value: p.value }));
      const same = c.indexes.find((i) => i.field_name === field.name);
      if (same) {
        if (same.index_name === name && JSON.stringify(same.params) === JSON.stringify(params)) return st.ok();
        return st.fail(st.CODE.unexpected, 'at most one distinct index is allowed per field');
      }
      c.indexes.push({ index_name: name, indexID: String(store.newId()), field_name: field.name, params });
      return st.ok();
    },
    DescribeIndex(req) {
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name), index_descriptions: [] };
      const found = c.indexes.filter((i) => (!req.field_name || i.field_name === req.field_name)
        && (!req.index_name || i.index_name === req.index_name));
      if (!found.length) {
        return { status: st.fail(st.CODE.indexNotFound, `index not found[collection=${c.name}]`), index_descriptions: [] };
      }
      const rows = String(store.collectionRows(c));
      return {
        status: st.ok(),
        index_descriptions: found.map((i) => ({
          index_name: i.index_name, indexID: i.indexID, params: i.params, field_name: i.field_name,
          indexed_rows: rows, total_rows: rows, state: 3, index_state_fail_reason: '', pending_index_rows: '0',
        })),
      };
    },
    // Query, loading and releasing: query.js.
    ...queryHandlers(store, gen),
  };

  // The job id is allocated before the broadcast (services.go 1838-1849 on
  // 2.6), the client's context ends first (AddTask returns its error,
  // broadcast_scheduler.go 46-65), and the broadcast and its ack callback
  // go on in the background until the job exists
  // (broadcast_scheduler.go 142-162, ack_callback_scheduler.go 294-318):
  // the client sees DEADLINE_EXCEEDED and no job id, the job appears
  // lateJobMs later. A collection dropped meanwhile drops the import
  // (ddl_callbacks_import.go 79-84).
  function lateJob(c, partition, files) {
    const id = store.newId();
    const collectionId = c.id;
    setTimeout(() => {
      const now = coll(c.name);
      if (now && now.id === collectionId && now.partitions.has(partition)) store.createTask(now, partition, files, id);
    }, store.faults.lateJobMs).unref();
    return { grpcError: { code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' } };
  }

  // Seconds left before the deadline the client gave the Import call.
  function recordDeadline(call) {
    const d = call && call.getDeadline ? call.getDeadline() : Infinity;
    const ms = d instanceof Date ? d.getTime() : Number(d);
    store.importDeadlines.push(Number.isFinite(ms) ? Math.round((ms - Date.now()) / 1000) : null);
  }

  function taskState(t) {
    if (gen === '2.3') {
      return {
        status: st.ok(), state: t.state, row_count: String(t.rows), id_list: t.idRanges,
        infos: [
          { key: 'files', value: t.files.join(',') },
          { key: 'collection', value: t.collection },
          { key: 'partition', value: t.partition },
          { key: 'failed_reason', value: t.reason },
          { key: 'progress_percent', value: String(t.progress) },
        ],
        id: String(t.id), collection_id: String(t.collectionId), segment_ids: t.segmentIds, create_ts: t.createTs,
      };
    }
    // row_count is ImportedRows: partial while importing on the generations
    // that count importing segments, 0 on a failed job (import_util.go
    // 562-600 on 2.6).
    const rows = t.state === STATE.Completed || (played.countImporting && t.state === STATE.Started && t.counted)
      ? t.rows : 0;
    return {
      status: st.ok(), state: t.state, row_count: String(rows), id_list: [],
      infos: [
        { key: 'failed_reason', value: t.reason },
        { key: 'progress_percent', value: String(t.progress) },
      ],
      id: '0', collection_id: '0', segment_ids: [], create_ts: t.createTs,
    };
  }

  function describeResult(resp) {
    const s = resp && typeof resp.status === 'object' ? resp.status : resp;
    if (!s || st.isOk(s)) return 'ok';
    return `code=${s.code} error_code=${s.error_code} reason=${JSON.stringify(s.reason)}`;
  }

  // The collection a call is about, for the per-collection call counts.
  function collectionOf(rpc, req) {
    if (!req) return undefined;
    if (req.collection_name) return req.collection_name;
    if (rpc === 'GetImportState' && req.task !== undefined) {
      const t = store.tasks.get(String(req.task));
      return t ? t.collection : undefined;
    }
    return undefined;
  }

  // A failed response of the method's type: its Status, or the Status itself.
  function failedResponse(rpc, status) {
    const fields = service[rpc].responseType.type.field.map((f) => f.name);
    return fields.includes('status') ? { status } : status;
  }

  function log(rpc, req, result) {
    const target = req && (req.collection_name || (req.task !== undefined && `task=${req.task}`)) || '';
    process.stderr.write(`${new Date().toISOString()} ${rpc}${target ? ` ${target}` : ''} -> ${result}\n`);
  }

  const impl = {};
  for (const rpc of Object.keys(service)) {
    const fn = handlers[rpc];
    impl[rpc] = (call, callback) => {
      const req = call.request;
      store.countCall(rpc, collectionOf(rpc, req));
      if (store.takeOutage(rpc)) {
        log(rpc, req, 'UNAVAILABLE (injected)');
        callback({ code: grpc.status.UNAVAILABLE, details: 'emulated outage' });
        return;
      }
      const authErr = authProblem(call.metadata);
      if (authErr) {
        log(rpc, req, `UNAUTHENTICATED ${authErr}`);
        callback({ code: grpc.status.UNAUTHENTICATED, details: authErr });
        return;
      }
      if (!fn || absent.has(rpc)) {
        log(rpc, req, 'UNIMPLEMENTED');
        callback({ code: grpc.status.UNIMPLEMENTED, details: `unknown method ${rpc} for service ${SERVICE}` });
        return;
      }
      const denied = opts.auth ? denial(rpc, opts.auth.user, (req && req.db_name) || metaValue(call.metadata, 'dbname')
        || 'default', store.faults.denyPrivileges) : null;
      if (denied) {
        log(rpc, req, `PERMISSION_DENIED ${denied}`);
        callback({ code: grpc.status.PERMISSION_DENIED, details: denied });
        return;
      }
      const dbErr = dbProblem(req, call.metadata);
      let resp;
      try {
        if (dbErr) {
          resp = failedResponse(rpc, dbErr);
        } else if (store.takeRateLimit(rpc)) {
          resp = failedResponse(rpc, st.rateLimited(0.1));
        } else {
          resp = fn(req, call.metadata, call);
        }
      } catch (e) {
        log(rpc, req, `INTERNAL ${e.message}`);
        callback({ code: grpc.status.INTERNAL, details: e.message });
        return;
      }
      if (resp && resp.grpcError) {
        log(rpc, req, `${grpc.status[resp.grpcError.code]} ${resp.grpcError.details} (injected)`);
        callback(resp.grpcError);
        return;
      }
      if (!played.merrStatus) withoutMerr(resp);
      if (store.takeLostAnswer(rpc)) {
        log(rpc, req, `${describeResult(resp)}, answer lost (injected)`);
        callback({ code: grpc.status.UNAVAILABLE, details: 'emulated connection loss after the call' });
        return;
      }
      log(rpc, req, describeResult(resp));
      callback(null, resp);
    };
  }
  const server = new grpc.Server();
  server.addService(service, impl);
  return server;
}

module.exports = { createServer };
