'use strict';
// In-memory server state: collections, partitions with the rows they
// received (primary key and vector bytes), indexes, import tasks with their
// asynchronous state machine, call counters and injected faults.

const { runImport, ImportFailure } = require('./importer');
const { checkFault, corruptImport } = require('./corrupt');
const { DT } = require('./npy');

const STATE = {
  Pending: 0, Failed: 1, Started: 2, Persisted: 5, Completed: 6, FailedAndCleaned: 7,
};
const STATE_NAME = Object.fromEntries(Object.entries(STATE).map(([k, v]) => [v, `Import${k}`]));

const DEFAULT_MAX_FILE_SIZE = 17179869184; // 16 GiB, common.ImportMaxFileSize

// dataCoord.import.maxImportJobNum (pkg/util/paramtable/component_param.go
// 6111-6115 on 2.6): unfinished jobs, cluster-wide, before Import answers
// "try again later" (internal/datacoord/import_util.go 787-797).
const DEFAULT_JOB_LIMIT = 1024;
// How long a failed job's rows stay counted: the import checker fails the
// job's tasks and the inspector drops their segments on their next passes,
// 2 s apart (dataCoord.import.checkIntervalHigh and scheduleInterval;
// import_checker.go 468-488, import_inspector.go 132-152 on 2.6).
const FAILED_ROWS_MS = 2000;

// failImport: {collection, reason[, afterRows]}: the collection's imports
//   fail; with afterRows the rows are written (and counted, where the
//   generation counts importing segments) before the job fails.
// lateJobMs/lateJobCount: the next lateJobCount Imports answer
//   DEADLINE_EXCEEDED, as when the client's deadline passes during the
//   broadcast, and their jobs are created lateJobMs later (2.6.14+, 3.0).
// jobLimit: unfinished jobs before Import answers "try again later".
// rateLimitRpc/rateLimitCount: the next rateLimitCount calls of the RPC are
//   refused by the rate limiter (code 8).
// failedRowsMs: how long a failed job's rows stay counted (2.6, 3.0).
// denyPrivileges: privileges (grant names: "Import", "CreateCollection")
//   the authenticated user lacks: calls that need one answer
//   PERMISSION_DENIED (needs --auth).
function defaultFaults(generation) {
  return {
    unavailable: 0, unavailableRpc: null, unavailableCount: 0, failImport: null,
    stepMs: 100, expireTasks: false, maxFileSize: DEFAULT_MAX_FILE_SIZE,
    loseAnswerRpc: null, loseAnswerCount: 0, corruptImport: null,
    lateJobMs: 0, lateJobCount: 0, jobLimit: DEFAULT_JOB_LIMIT, rateLimitRpc: null, rateLimitCount: 0,
    failedRowsMs: generation && generation.countImporting ? FAILED_ROWS_MS : 0, denyPrivileges: [],
  };
}

// Int64 keys (kept as decimal strings) in numeric order, VarChar keys as text.
function compareIds(a, b) {
  const sa = String(a);
  const sb = String(b);
  if (/^-?\d+$/.test(sa) && /^-?\d+$/.test(sb)) {
    const x = BigInt(sa);
    const y = BigInt(sb);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return sa < sb ? -1 : (sa > sb ? 1 : 0);
}

function compareRows(a, b) {
  const byId = compareIds(a[0], b[0]);
  if (byId) return byId;
  const va = a.slice(1).join(',');
  const vb = b.slice(1).join(',');
  return va < vb ? -1 : (va > vb ? 1 : 0);
}

class Store {
  // generation: what generation.js resolved; the behaviour follows its family.
  constructor(generation, fileCfg) {
    this.gen = generation.generation;
    this.family = generation.family;
    this.played = generation;
    this.fileCfg = {
      ...fileCfg, maxFileSize: () => this.faults.maxFileSize, optionalNullable: generation.optionalNullable,
    };
    this.collections = new Map();
    this.tasks = new Map();
    this.calls = {};
    this.callsByCollection = {};
    this.importDeadlines = []; // seconds left before each Import's deadline, as the client set it
    this.faults = defaultFaults(generation);
    this.pending = new Set(); // task steps waiting on a timer
    this.nextId = 449000000000000000n; // looks like a Milvus TSO-derived id
    this.nextAutoPk = 450000000000000000n;
  }

  newId() {
    this.nextId += 1n;
    return this.nextId;
  }

  static nowTs() {
    // Hybrid timestamp: physical ms << 18.
    return String(BigInt(Date.now()) << 18n);
  }

  setFaults(patch) {
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in this.faults) && k !== 'crashAfterImportSubmit') throw new Error(`unknown fault '${k}'`);
      const bad = k === 'corruptImport' ? checkFault(v) : null;
      if (bad) throw new Error(bad);
    }
    if (patch.lateJobMs && !this.played.lateJob) {
      throw new Error(`lateJobMs: Milvus ${this.played.version} creates the job before Import answers; `
        + 'late jobs exist from 2.6.14 on');
    }
    for (const [k, v] of Object.entries(patch)) this.faults[k] = v;
    if ('stepMs' in patch) this.retime();
  }

  resetFaults() {
    const stepMs = this.faults.stepMs;
    this.faults = defaultFaults(this.played);
    if (this.faults.stepMs !== stepMs) this.retime();
  }

  // Consumes one injected rate-limit refusal for `rpc` if any is pending.
  takeRateLimit(rpc) {
    if (this.faults.rateLimitRpc === rpc && this.faults.rateLimitCount > 0) {
      this.faults.rateLimitCount -= 1;
      return true;
    }
    return false;
  }

  // Consumes one injected late job: true when this Import's job is to be
  // created after the call has ended.
  takeLateJob() {
    if (this.faults.lateJobMs > 0 && this.faults.lateJobCount > 0) {
      this.faults.lateJobCount -= 1;
      return true;
    }
    return false;
  }

  unfinishedJobs() {
    let n = 0;
    for (const t of this.tasks.values()) {
      if (![STATE.Completed, STATE.Failed, STATE.FailedAndCleaned].includes(t.state)) n += 1;
    }
    return n;
  }

  // A new step time applies to the steps already waiting too, so a test
  // that slowed tasks down can speed the ones in flight up again.
  retime() {
    for (const step of this.pending) {
      clearTimeout(step.timer);
      step.timer = setTimeout(step.run, this.faults.stepMs).unref();
    }
  }

  // Consumes one injected outage for `rpc` if any is pending.
  takeOutage(rpc) {
    if (this.faults.unavailable > 0) {
      this.faults.unavailable -= 1;
      return true;
    }
    if (this.faults.unavailableRpc === rpc && this.faults.unavailableCount > 0) {
      this.faults.unavailableCount -= 1;
      return true;
    }
    return false;
  }

  // Consumes one injected lost answer: the call takes effect, the client
  // sees UNAVAILABLE (a connection that broke after the server acted).
  takeLostAnswer(rpc) {
    if (this.faults.loseAnswerRpc === rpc && this.faults.loseAnswerCount > 0) {
      this.faults.loseAnswerCount -= 1;
      return true;
    }
    return false;
  }

  // Per RPC, and per RPC and collection (GetImportState: the task's).
  countCall(rpc, collection) {
    this.calls[rpc] = (this.calls[rpc] || 0) + 1;
    if (collection === undefined) return;
    const per = this.callsByCollection[rpc] || (this.callsByCollection[rpc] = {});
    per[collection] = (per[collection] || 0) + 1;
  }

  addCollection(name, schema, key, req) {
    const now = Store.nowTs();
    const coll = {
      id: this.newId(), name, schema, key, createdTs: now, createdUtc: String(Date.now()),
      shards: req.shards_num || 1, consistency: req.consistency_level || 0,
      partitions: new Map(), indexes: [], loaded: false, loadedAtMs: 0, targetMs: 0, refresh: null,
    };
    this.addPartition(coll, '_default');
    this.collections.set(name, coll);
    return coll;
  }

  // A partition keeps its rows as Milvus would answer a Query on them:
  // entities maps a primary key (as a string) to the list of rows imported
  // under it, each row the Buffers of the vector fields in schema order;
  // `rows` counts them all. A key can hold several rows: an import writes
  // every row it reads and counts it, duplicates included (2.3
  // internal/util/importutil numpy readers, 2.5 internal/util/importutilv2;
  // the protocol notes, section 7, "Row counting").
  addPartition(coll, name) {
    coll.partitions.set(name, {
      id: this.newId(), name, entities: new Map(), rows: 0, imports: 0, createdTs: Store.nowTs(),
      createdUtc: String(Date.now()),
    });
  }

  static vectorFields(coll) {
    return coll.schema.fields.filter((f) => f.data_type === DT.FloatVector || f.data_type === DT.BinaryVector)
      .map((f) => f.name);
  }

  collectionRows(coll) {
    let n = 0;
    for (const p of coll.partitions.values()) n += p.rows;
    return n;
  }

  // ---- import tasks -------------------------------------------------------

  // id: a job id allocated earlier (a late job), or a new one.
  createTask(coll, partition, files, id) {
    const task = {
      id: id || this.newId(), collection: coll.name, collectionId: coll.id, partition, files: [...files],
      state: STATE.Pending, rows: 0, reason: '', progress: 0, createTs: String(Math.floor(Date.now() / 1000)),
      segmentIds: [], idRanges: [], result: null, counted: false, added: [],
    };
    this.tasks.set(String(task.id), task);
    this.schedule(task, () => this.start(task));
    return task;
  }

  schedule(task, fn) {
    const step = { run: () => { this.pending.delete(step); fn(); }, timer: null };
    step.timer = setTimeout(step.run, this.faults.stepMs).unref();
    this.pending.add(step);
  }

  fail(task, reason) {
    task.state = STATE.Failed;
    task.reason = reason;
    task.progress = 0;
    if (this.family === '2.3') this.schedule(task, () => { task.state = STATE.FailedAndCleaned; });
    // Rows a failed job wrote stay counted until its segments are dropped.
    if (task.counted) {
      const drop = () => this.uncountRows(task);
      if (this.faults.failedRowsMs > 0) setTimeout(drop, this.faults.failedRowsMs).unref();
      else drop();
    }
  }

  async start(task) {
    task.state = STATE.Started;
    task.progress = this.family === '2.3' ? 0 : 40;
    task.segmentIds = [String(this.newId())];
    const coll = this.collections.get(task.collection);
    // An injected failure wins over whatever the files would have produced.
    const injected = this.faults.failImport;
    if (injected && injected.collection === task.collection && !injected.afterRows) {
      this.schedule(task, () => this.fail(task, injected.reason || 'emulated import failure'));
      return;
    }
    let result;
    try {
      if (!coll || coll.id !== task.collectionId) throw new ImportFailure(`collection not found[collection=${task.collection}]`);
      result = await runImport(this.fileCfg, this.family, coll, task.files);
    } catch (e) {
      if (!(e instanceof ImportFailure)) console.error(`[emulator] import ${task.id} crashed: ${e.stack}`);
      this.schedule(task, () => this.fail(task, e.message));
      return;
    }
    task.result = result;
    // 2.6 and 3.0 count the rows of importing segments (generation.js).
    if (this.played.countImporting || (injected && injected.collection === task.collection)) {
      task.progress = 70;
      this.countRows(task);
    }
    if (injected && injected.collection === task.collection) {
      this.schedule(task, () => this.fail(task, injected.reason || 'emulated import failure'));
    } else if (this.family === '2.3') {
      this.schedule(task, () => this.persist(task));
    } else {
      this.schedule(task, () => this.complete(task));
    }
  }

  persist(task) {
    task.state = STATE.Persisted;
    task.progress = 90;
    this.countRows(task);
    this.schedule(task, () => this.complete(task));
  }

  countRows(task) {
    if (task.counted) return;
    const coll = this.collections.get(task.collection);
    const part = coll && coll.id === task.collectionId ? coll.partitions.get(task.partition) : null;
    task.counted = true;
    task.rows = task.result.rows;
    if (!part) return;
    let ids = task.result.ids;
    if (ids === null) {
      const begin = this.nextAutoPk;
      ids = [];
      for (let i = 0; i < task.result.rows; i++) ids.push(this.nextAutoPk++);
      task.idRanges = [String(begin), String(this.nextAutoPk)];
    }
    const corrupted = corruptImport(this.faults.corruptImport, task, task.result);
    if (corrupted) {
      this.faults.corruptImport = null;
      ids = task.result.ids;
      process.stderr.write(`${new Date().toISOString()} import ${task.id} corrupted (injected): ${corrupted}\n`);
    }
    const fields = Store.vectorFields(coll);
    ids.forEach((id, r) => {
      const key = String(id);
      const row = fields.map((f) => (task.result.vectors[f] ? task.result.vectors[f][r] : Buffer.alloc(0)));
      // Which import stored the row: Query sees it once that import is
      // complete and in the loaded target, and prefers the later import's
      // row among rows of one key (query.js).
      row.task = task;
      if (!part.entities.has(key)) part.entities.set(key, []);
      part.entities.get(key).push(row);
      task.added.push([key, row]);
    });
    part.rows += task.result.rows;
  }

  // The rows of a failed job leave the partition (its segments dropped).
  uncountRows(task) {
    const coll = this.collections.get(task.collection);
    const part = coll && coll.id === task.collectionId ? coll.partitions.get(task.partition) : null;
    if (!part || !task.counted) return;
    for (const [key, row] of task.added) {
      const list = part.entities.get(key) || [];
      const at = list.indexOf(row);
      if (at >= 0) list.splice(at, 1);
      if (!list.length) part.entities.delete(key);
    }
    part.rows -= task.added.length;
    task.added = [];
    task.counted = false;
  }

  complete(task) {
    this.countRows(task);
    task.state = STATE.Completed;
    task.completedMs = Date.now();
    task.progress = 100;
    const coll = this.collections.get(task.collection);
    const part = coll && coll.id === task.collectionId ? coll.partitions.get(task.partition) : null;
    if (part) part.imports += 1;
  }

  // ---- inspection -----------------------------------------------------------

  // Every row of every partition (of one collection when `only` is given):
  // {collection: {partition: {fields: [vector field names], rows: [[id, hex
  // of each vector field]...]}}}, rows sorted by id, then by vector bytes.
  rowsSnapshot(only) {
    const out = {};
    for (const c of this.collections.values()) {
      if (only !== undefined && c.name !== only) continue;
      const fields = Store.vectorFields(c);
      const partitions = {};
      for (const p of c.partitions.values()) {
        const rows = [];
        for (const [id, list] of p.entities) {
          for (const row of list) rows.push([id, ...row.map((b) => b.toString('hex'))]);
        }
        rows.sort(compareRows);
        partitions[p.name] = { fields, rows };
      }
      out[c.name] = partitions;
    }
    return out;
  }

  snapshot() {
    const collections = {};
    for (const c of this.collections.values()) {
      const partitions = {};
      for (const p of c.partitions.values()) {
        const ids = [];
        for (const [id, list] of p.entities) for (let i = 0; i < list.length; i++) ids.push(id);
        partitions[p.name] = { rows: p.rows, ids: ids.sort(compareIds), imports: p.imports };
      }
      collections[c.name] = {
        schema: {
          name: c.schema.name,
          enableDynamicField: !!c.schema.enable_dynamic_field,
          fields: c.schema.fields.map((f) => ({
            name: f.name, fieldID: Number(f.fieldID), type: f.data_type,
            dim: Number((f.type_params.find((p) => p.key === 'dim') || {}).value || 0),
            isPrimary: !!f.is_primary_key, autoID: !!f.autoID,
          })),
        },
        partitions,
        indexes: c.indexes.map((i) => ({ indexName: i.index_name, fieldName: i.field_name, params: i.params })),
        loaded: c.loaded,
      };
    }
    const tasks = [...this.tasks.values()].map((t) => ({
      id: String(t.id), collection: t.collection, partition: t.partition, files: t.files,
      state: t.state, stateName: STATE_NAME[t.state], rows: t.rows, reason: t.reason,
    }));
    return {
      generation: this.gen, version: this.played.version, collections, tasks, calls: this.calls,
      callsByCollection: this.callsByCollection, importDeadlines: this.importDeadlines, faults: this.faults,
    };
  }
}

module.exports = { Store, STATE };
