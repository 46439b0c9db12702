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

function defaultFaults() {
  return {
    unavailable: 0, unavailableRpc: null, unavailableCount: 0, failImport: null,
    stepMs: 100, expireTasks: false, maxFileSize: DEFAULT_MAX_FILE_SIZE,
    loseAnswerRpc: null, loseAnswerCount: 0, corruptImport: null,
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
    this.fileCfg = { ...fileCfg, maxFileSize: () => this.faults.maxFileSize };
    this.collections = new Map();
    this.tasks = new Map();
    this.calls = {};
    this.faults = defaultFaults();
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
      this.faults[k] = v;
    }
    if ('stepMs' in patch) this.retime();
  }

  resetFaults() {
    const stepMs = this.faults.stepMs;
    this.faults = defaultFaults();
    if (this.faults.stepMs !== stepMs) this.retime();
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

  countCall(rpc) {
    this.calls[rpc] = (this.calls[rpc] || 0) + 1;
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

  createTask(coll, partition, files) {
    const task = {
      id: this.newId(), collection: coll.name, collectionId: coll.id, partition, files: [...files],
      state: STATE.Pending, rows: 0, reason: '', progress: 0, createTs: String(Math.floor(Date.now() / 1000)),
      segmentIds: [], idRanges: [], result: null, counted: false,
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
    if (this.family === '2.3') this.schedule(task, () => { task.state = STATE.FailedAndCleaned; });
  }

  async start(task) {
    task.state = STATE.Started;
    task.progress = this.family === '2.3' ? 0 : 40;
    task.segmentIds = [String(this.newId())];
    const coll = this.collections.get(task.collection);
    // An injected failure wins over whatever the files would have produced.
    const injected = this.faults.failImport;
    if (injected && injected.collection === task.collection) {
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
    if (this.family === '2.3') this.schedule(task, () => this.persist(task));
    else this.schedule(task, () => this.complete(task));
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
    });
    part.rows += task.result.rows;
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
    return { generation: this.gen, collections, tasks, calls: this.calls, faults: this.faults };
  }
}

module.exports = { Store, STATE };
