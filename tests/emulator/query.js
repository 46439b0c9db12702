'use strict';
// Query, and what Query needs: an index on a vector field and the collection
// loaded. Line numbers are of the snapshots in the project's Milvus upstream
// notes (sections B1-B6): 2.6 = bede7cf6, 2.5 = c8e90858, 2.3 = 7c74a304.
//
// - Query on a collection that is not loaded (or still loading): code 101
//   "collection not loaded[collection=<ID>]", error_code 1
//   (internal/querycoordv2/utils/util.go checkLoadStatus, 117-120 on 2.6; the
//   proxy stops there, shardclient/lb_policy.go 111-130).
// - LoadCollection without any index: code 700 "index not found[collection=<name>]"
//   (internal/proxy/task.go 1454-1458 on 2.3, 2383-2396 on 2.6); with an
//   index on no vector field: 2.3 a plain error (1471-1474), 2.5+ code 1100
//   "there is no vector index on field: [...]" (2404-2418 on 2.6).
// - LoadCollection refresh=true: code 101 unless the collection is loaded;
//   it takes the segments imported since the load into the target
//   (internal/querycoordv2/services.go 216-227 and 484-525 on 2.6), watched
//   through GetLoadingProgress.refresh_progress (internal/proxy/impl.go
//   1968-1990). Without it, segments imported into a loaded collection are
//   read only after the target observer's next update,
//   queryCoord.UpdateNextTargetInterval = 10 s (component_param.go
//   ~3099-3101 on 2.6), so a Strong query right after an import misses them.
// - Rows of one primary key are answered once: the row with the higher
//   timestamp, else the first seen (internal/querynodev2/segments/result.go
//   MergeSegcoreRetrieveResults 406-518 on 2.5/2.6; 2.3 ~158 and 403-404).
//   All rows of one import share its timestamp; a later import's is higher.
// - No limit: every match is answered; an empty expression without a limit
//   is refused (internal/proxy/task_query.go 487-488 on 2.6). With a limit,
//   offset+limit must stay within quotaAndLimits.limits.maxQueryResultWindow
//   = 16384 (quota_param.go 1479-1486; internal/proxy/util.go 95-106 on 2.3).
//   An answer above quotaAndLimits.limits.maxOutputSize = 100 MiB is an
//   error, not a truncation (task_query.go 831-842 on 2.6).
// - The expression: the subset a migration sends, `<pk> in [<ints>]` and
//   `<pk> == <int>`; anything else fails like a parse error of
//   internal/parser/planparserv2/plan_parser_v2.go ParseExpr, wrapped by the
//   proxy's createPlan. Output fields must exist (internal/proxy/util.go
//   translateOutputFields); the primary key is always answered.
// - DropIndex of a vector index while the collection is loaded is refused:
//   "vector index cannot be dropped on loaded collection: <ID>"
//   (internal/datacoord/index_service.go DropIndex), code 1100.

const st = require('./status');
const { DT } = require('./npy');
const { param } = require('./schema');
const { STATE } = require('./state');

const NEXT_TARGET_MS = 10000;
const MAX_OUTPUT_BYTES = 104857600;
const MAX_RESULT_WINDOW = 16384;
const CODE_NOT_LOADED = 101;

function isVectorType(dt) {
  return dt === DT.FloatVector || dt === DT.BinaryVector;
}

function notLoaded(coll) {
  return st.fail(CODE_NOT_LOADED, `collection not loaded[collection=${coll.id}]`, 1);
}

function queryHandlers(store, gen) {
  const coll = (name) => store.collections.get(name);
  const now = () => Date.now();

  // 0 NotExist, 1 NotLoad, 2 Loading, 3 Loaded; a load takes one task step.
  function loadState(c) {
    if (!c) return 0;
    if (!c.loaded) return 1;
    return now() >= c.loadedAtMs ? 3 : 2;
  }

  // The time up to which completed imports are in the loaded target.
  function target(c) {
    if (c.refresh && now() >= c.refresh.doneAtMs) {
      c.targetMs = c.refresh.asOfMs;
      c.refresh = null;
    }
    return Math.max(c.targetMs, c.loadedAtMs);
  }

  function visible(c, row) {
    const t = row.task;
    if (!t || t.state !== STATE.Completed || t.completedMs === undefined) return false;
    return t.completedMs <= target(c) || now() - t.completedMs >= NEXT_TARGET_MS;
  }

  function parseError(expr, detail) {
    return st.invalidParam(gen, `failed to create query plan: cannot parse expression: ${expr}, error: ${detail}`);
  }

  // {keys: [string] | null (every row)} or {status}.
  function parseExpr(c, expr) {
    const pk = c.schema.fields.find((f) => f.is_primary_key);
    const text = expr.trim();
    if (text === '') return { keys: null };
    let m = /^([A-Za-z_][A-Za-z0-9_]*)\s+in\s+\[\s*(.*?)\s*\]$/s.exec(text);
    let list;
    if (m) {
      list = m[2] === '' ? [] : m[2].split(/\s*,\s*/);
    } else {
      m = /^([A-Za-z_][A-Za-z0-9_]*)\s*==\s*(\S+)$/.exec(text);
      if (!m) return { status: parseError(expr, 'the emulator parses only <field> in [...] and <field> == <value>') };
      list = [m[2]];
    }
    const field = c.schema.fields.find((f) => f.name === m[1]);
    if (!field) return { status: parseError(expr, `field ${m[1]} not exist`) };
    if (field !== pk) return { status: parseError(expr, `the emulator filters only on the primary key ${pk.name}`) };
    if (field.data_type === DT.Int64) {
      const bad = list.find((v) => !/^-?\d+$/.test(v));
      if (bad !== undefined) return { status: parseError(expr, `value '${bad}' in list cannot be casted to Int64`) };
      return { keys: list.map((v) => String(BigInt(v))) };
    }
    return { keys: list.map((v) => v.replace(/^"(.*)"$/s, '$1')) };
  }

  function fieldData(f, rows) {
    const base = { type: f.data_type, field_name: f.name, field_id: String(f.fieldID), is_dynamic: false };
    if (f.is_primary_key) {
      const keys = rows.map((r) => r.key);
      return f.data_type === DT.Int64 ? { ...base, scalars: { long_data: { data: keys } } }
        : { ...base, scalars: { string_data: { data: keys } } };
    }
    const dim = String(param(f, 'dim'));
    const bufs = rows.map((r) => r.vectors[f.name]);
    if (f.data_type === DT.BinaryVector) return { ...base, vectors: { dim, binary_vector: Buffer.concat(bufs) } };
    const data = [];
    for (const b of bufs) for (let i = 0; i + 4 <= b.length; i += 4) data.push(b.readFloatLE(i));
    return { ...base, vectors: { dim, float_vector: { data } } };
  }

  return {
    LoadCollection(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      if (req.refresh) {
        if (loadState(c) !== 3) return notLoaded(c);
        c.refresh = { asOfMs: now(), doneAtMs: now() + store.faults.stepMs };
        return st.ok();
      }
      if (c.loaded) return st.ok();
      if (!c.indexes.length) return st.fail(st.CODE.indexNotFound, `index not found[collection=${c.name}]`);
      const vectorFields = c.schema.fields.filter((f) => isVectorType(f.data_type)).map((f) => f.name);
      if (!c.indexes.some((i) => vectorFields.includes(i.field_name))) {
        return gen === '2.3'
          ? st.fail(st.CODE.unexpected, `there is no vector index on collection: ${c.name}, please create index firstly`)
          : st.invalidParam(gen, `there is no vector index on field: [${vectorFields.join(' ')}], please create index firstly`);
      }
      c.loaded = true;
      c.loadedAtMs = now() + store.faults.stepMs;
      return st.ok();
    },
    ReleaseCollection(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      c.loaded = false;
      c.refresh = null;
      return st.ok();
    },
    GetLoadState(req) {
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name), state: 0 };
      return { status: st.ok(), state: loadState(c) };
    },
    GetLoadingProgress(req) {
      const c = coll(req.collection_name);
      if (!c) return { status: st.collectionNotFound(req.collection_name), progress: '0', refresh_progress: '0' };
      const state = loadState(c);
      if (state === 1) return { status: notLoaded(c), progress: '0', refresh_progress: '0' };
      target(c);
      const refreshed = c.refresh ? '50' : '100';
      // refresh_progress is a 2.3 field: a 2.2 server never sets it.
      return { status: st.ok(), progress: state === 3 ? '100' : '50', refresh_progress: store.gen === '2.2' ? '0' : refreshed };
    },
    DropIndex(req) {
      const c = coll(req.collection_name);
      if (!c) return st.collectionNotFound(req.collection_name);
      const drop = c.indexes.filter((i) => (!req.field_name || i.field_name === req.field_name)
        && (!req.index_name || i.index_name === req.index_name));
      const field = c.schema.fields.find((f) => f.name === req.field_name);
      if (drop.length && c.loaded && (!field || isVectorType(field.data_type))) {
        return st.invalidParam(gen, `vector index cannot be dropped on loaded collection: ${c.id}`);
      }
      c.indexes = c.indexes.filter((i) => !drop.includes(i));
      return st.ok();
    },
    Query(req) {
      const c = coll(req.collection_name);
      const fail = (status) => ({ status, fields_data: [], output_fields: [] });
      if (!c) return fail(st.collectionNotFound(req.collection_name));
      if (loadState(c) !== 3) return fail(notLoaded(c));
      for (const p of req.partition_names) if (!c.partitions.has(p)) return fail(st.partitionNotFound(p));
      const params = Object.fromEntries(req.query_params.map((kv) => [kv.key, kv.value]));
      const limit = params.limit === undefined ? null : Number(params.limit);
      const offset = params.offset === undefined ? 0 : Number(params.offset);
      if (limit !== null && (!(limit > 0) || limit + offset > MAX_RESULT_WINDOW)) {
        return fail(st.invalidParam(gen, `(offset+limit) should be in range [1, ${MAX_RESULT_WINDOW}], but got ${limit + offset}`));
      }
      const parsed = parseExpr(c, req.expr);
      if (parsed.status) return fail(parsed.status);
      if (parsed.keys === null && limit === null) {
        return fail(st.invalidParam(gen, 'empty expression should be used with limit'));
      }
      let outputs = req.output_fields.flatMap((n) => (n === '*' ? c.schema.fields.map((f) => f.name) : [n]));
      for (const n of outputs) {
        if (!c.schema.fields.some((f) => f.name === n)) return fail(st.invalidParam(gen, `field ${n} not exist`));
      }
      const pk = c.schema.fields.find((f) => f.is_primary_key);
      outputs = [pk.name, ...outputs.filter((n) => n !== pk.name)];
      const vectorNames = c.schema.fields.filter((f) => isVectorType(f.data_type)).map((f) => f.name);
      const parts = req.partition_names.length ? req.partition_names.map((p) => c.partitions.get(p))
        : [...c.partitions.values()];
      // Per key, the visible row of the latest import; first seen among equals.
      const best = new Map();
      const consider = (key, list) => {
        for (const row of list) {
          if (!visible(c, row)) continue;
          const held = best.get(key);
          if (!held || row.task.id > held.task.id) best.set(key, row);
        }
      };
      for (const p of parts) {
        if (parsed.keys === null) for (const [key, list] of p.entities) consider(key, list);
        else for (const key of new Set(parsed.keys)) if (p.entities.has(key)) consider(key, p.entities.get(key));
      }
      let rows = [...best.entries()].map(([key, row]) => ({
        key, vectors: Object.fromEntries(vectorNames.map((n, i) => [n, row[i]])),
      }));
      rows.sort((a, b) => {
        if (pk.data_type !== DT.Int64) return a.key < b.key ? -1 : (a.key > b.key ? 1 : 0);
        const x = BigInt(a.key);
        const y = BigInt(b.key);
        return x < y ? -1 : (x > y ? 1 : 0);
      });
      if (limit !== null) rows = rows.slice(offset, offset + limit);
      const bytes = rows.reduce((n, r) => n + 8 + Object.values(r.vectors).reduce((m, b) => m + b.length, 0), 0);
      if (bytes > MAX_OUTPUT_BYTES) {
        return fail(st.invalidParam(gen, `query results exceed the maxOutputSize Limit ${MAX_OUTPUT_BYTES}`));
      }
      const fields = outputs.map((n) => c.schema.fields.find((f) => f.name === n));
      return {
        status: st.ok(), fields_data: fields.map((f) => fieldData(f, rows)), collection_name: c.name,
        output_fields: outputs,
      };
    },
  };
}

module.exports = { queryHandlers, NEXT_TARGET_MS };
