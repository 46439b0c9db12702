'use strict';
// What the datanode does with a numpy import: match files to fields, check
// sizes and headers against the schema, read the data. Every problem found
// here fails the task (ImportFailed + failed_reason) rather than the Import
// call, with the text of the emulated generation.

const path = require('node:path');
const fs = require('node:fs/promises');
const npy = require('./npy');
const { s3Get } = require('./s3get');
const { azureGet } = require('./azureget');
const { param } = require('./schema');

const { DT, DT_NAME } = npy;
const SUFFIX = ': importing data failed'; // merr.WrapErrImportFailed

class ImportFailure extends Error {}

function failure(msg) {
  return new ImportFailure(msg + SUFFIX);
}

function baseName(p) {
  const b = path.posix.basename(p);
  const ext = path.posix.extname(b);
  return { name: b.slice(0, b.length - ext.length), ext };
}

function dimOf(field) {
  const d = param(field, 'dim');
  return d === undefined ? 0 : Number(d);
}

// Resolves a file to {data} or throws an Error (with .notFound). Milvus
// reads import paths through its own storage layer, never the client's
// filesystem (internal/datanode/importv2/task_preimport.go 152 and
// task_import.go 177 hand the node's ChunkManager to the reader;
// internal/util/importutilv2/numpy/util.go 95 calls cm.Reader per file):
// with remote storage a path is an object key relative to the root of
// Milvus's bucket (internal/storage/remote_chunk_manager.go 132-139), with
// local storage a path on the data node's own filesystem
// (internal/storage/local_chunk_manager.go 73-81). The storage directory
// stands for the part of that filesystem this host shares with Milvus (the
// volume of a container, say): a path outside it does not exist for Milvus,
// so a test cannot pass by having the emulator read the host's files.
// Relative paths resolve against it, as they would against the data node's
// working directory.
async function fetchFile(cfg, file) {
  if (cfg.s3) return s3Get(cfg.s3, file).then((data) => ({ data }));
  if (cfg.azure) return azureGet(cfg.azure, file).then((data) => ({ data }));
  const root = await fs.realpath(cfg.storageDir);
  const full = path.isAbsolute(file) ? file : path.join(root, file);
  const missing = () => {
    const err = new Error(`open ${full}: no such file or directory`);
    err.notFound = true;
    return err;
  };
  let real;
  try {
    real = await fs.realpath(full);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') throw missing();
    throw e;
  }
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) throw missing();
  try {
    return { data: await fs.readFile(real) };
  } catch (e) {
    if (e.code === 'ENOENT') throw missing();
    throw e;
  }
}

// ---- file name matching -------------------------------------------------

function matchFiles23(fields, files) {
  const required = new Set();
  for (const f of fields) if (!(f.is_primary_key && f.autoID)) required.add(f.name);
  const seen = new Set();
  for (const file of files) {
    const { name, ext } = baseName(file);
    if (!['.json', '.npy', '.parquet'].includes(ext)) throw failure(`unsupported file type: '${file}'`);
    if (ext !== '.npy') throw failure(`unsupported file type for column-based mode: '${file}'`);
    if (seen.has(name)) throw failure(`duplicate file: '${file}'`);
    seen.add(name);
  }
  for (const file of files) {
    if (!required.has(baseName(file).name)) throw failure(`the file '${file}' has no corresponding field in collection`);
  }
  for (const name of required) {
    if (!seen.has(name)) throw failure(`there is no file corresponding to field '${name}'`);
  }
  return files.map((file) => ({ file, field: fields.find((f) => f.name === baseName(file).name) }));
}

// 2.5: every field but an auto-ID key, a dynamic field and a function
// output needs its file, and a nullable field refuses the whole import
// (numpy/reader.go 48-53 and ~143-157 on 2.5). 2.6 and 3.0: the files of
// nullable and default-value fields are optional too, filled with the
// default or null (numpy/util.go 62-125; AppendNullableDefaultFieldsData,
// internal/datanode/importv2/util.go 262-330).
function matchFiles25(fields, files, optionalNullable) {
  const byName = new Map();
  for (const file of files) byName.set(baseName(file).name, file); // last one wins
  if (!optionalNullable) {
    const nullable = fields.find((f) => f.nullable);
    if (nullable) throw failure(`not support bulk insert numpy files in field(${nullable.name}) which set nullable == true`);
  }
  const out = [];
  for (const f of fields) {
    const file = byName.get(f.name);
    if (f.is_primary_key && f.autoID) {
      if (file !== undefined) throw failure(`the primary key '${f.name}' is auto-generated, no need to provide`);
      continue;
    }
    if (file === undefined) {
      const optional = f.is_dynamic || f.is_function_output
        || (optionalNullable && (f.nullable || (f.default_value !== null && f.default_value !== undefined)));
      if (optional) continue;
      throw failure(`no file for field: ${f.name}, files: [${[...byName.values()].join(' ')}]`);
    }
    out.push({ file, field: f });
  }
  return out;
}

// ---- header checks --------------------------------------------------------

function headerProblem23(field, hdr, elementType) {
  const shape = hdr.shape;
  const shapeText = `[${shape.join(' ')}]`;
  const f = field.name;
  const tn = npy.typeName23;
  if (shape.length === 0) return `the content stored in numpy file is not valid numpy array for field '${f}'`;
  if (field.data_type === DT.FloatVector) {
    if (elementType !== DT.Float && elementType !== DT.Double) {
      return `illegal data type ${tn(elementType)} of numpy file for float vector field '${f}'`;
    }
    if (shape.length !== 2) return `illegal shape ${shapeText} of numpy file for float vector field '${f}', shape should be 2`;
    if (shape[1] !== dimOf(field)) {
      return `illegal dimension ${shape[1]} of numpy file for float vector field '${f}', dimension should be ${dimOf(field)}`;
    }
  } else if (field.data_type === DT.BinaryVector) {
    if (elementType !== DT.BinaryVector) return `illegal data type ${tn(elementType)} of numpy file for binary vector field '${f}'`;
    if (shape.length !== 2) return `illegal shape ${shapeText} of numpy file for binary vector field '${f}', shape should be 2`;
    if (shape[1] !== dimOf(field) / 8) {
      return `illegal dimension ${shape[1] * 8} of numpy file for binary vector field '${f}', dimension should be ${dimOf(field)}`;
    }
  } else {
    const stringy = field.data_type === DT.VarChar || field.data_type === DT.JSON;
    if (elementType !== field.data_type && !(stringy && elementType === DT.VarChar)) {
      return `illegal data type ${tn(elementType)} of numpy file for scalar field '${f}' with type ${tn(field.data_type)}`;
    }
    if (shape.length !== 1) return `illegal shape ${shapeText} of numpy file for scalar field '${f}', shape should be 1`;
  }
  return null;
}

function headerProblem25(field, hdr, elementType) {
  const shape = hdr.shape;
  const tname = DT_NAME[field.data_type];
  const f = field.name;
  const typeErr = `expected element type '${tname}' for field '${f}', got type '${DT_NAME[elementType]}'`;
  const shapeErr = (want) => `expected shape '${want}' for ${tname} field '${f}', got shape '${shape.length}'`;
  if (field.data_type === DT.FloatVector) {
    if (elementType !== DT.Float && elementType !== DT.Double) return typeErr;
    if (shape.length !== 2) return shapeErr(2);
    if (shape[1] !== dimOf(field)) return `expected dim '${dimOf(field)}' for ${tname} field '${f}', got dim '${shape[1]}'`;
  } else if (field.data_type === DT.BinaryVector) {
    if (elementType !== DT.BinaryVector) return typeErr;
    if (shape.length !== 2) return shapeErr(2);
    if (shape[1] !== dimOf(field) / 8) {
      return `expected dim '${dimOf(field) / 8}' for ${tname} field '${f}', got dim '${shape[1]}'`;
    }
  } else {
    const stringy = field.data_type === DT.VarChar || field.data_type === DT.JSON;
    if (stringy ? elementType !== DT.VarChar : elementType !== field.data_type) return typeErr;
    if (shape.length !== 1) return shapeErr(1);
  }
  return null;
}

// ---- data checks ----------------------------------------------------------

const READ_NAME = {
  [DT.Bool]: 'bool array', [DT.Int8]: 'int8 array', [DT.Int16]: 'int16 array', [DT.Int32]: 'int32 array',
  [DT.Int64]: 'int64 array', [DT.Float]: 'float array', [DT.Double]: 'double array',
  [DT.VarChar]: 'varchar array', [DT.JSON]: 'json string array',
  [DT.BinaryVector]: 'binary vector array', [DT.FloatVector]: 'float vector array',
};

function readColumn(gen, field, hdr, elementType, data) {
  const rows = hdr.shape[0];
  const perRow = hdr.shape.length === 2 ? hdr.shape[1] : 1;
  const values = npy.readValues(data, hdr, elementType, rows * perRow);
  if (values === null) throw failure(`failed to read ${READ_NAME[field.data_type] || 'array'}: unexpected EOF`);
  if (field.data_type === DT.FloatVector || field.data_type === DT.Float || field.data_type === DT.Double) {
    const bad = values.find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      const what = field.data_type === DT.FloatVector ? 'float vector array'
        : (field.data_type === DT.Float ? 'float array' : 'double array');
      throw failure(`illegal value in ${what}: value '${npy.goFloat(bad)}' is not a number or infinity`);
    }
  }
  if (field.data_type === DT.JSON) {
    for (const s of values) {
      try {
        JSON.parse(s);
      } catch (e) {
        throw failure(`failed to parse value '${s}' for JSON field '${field.name}', error: ${e.message}`);
      }
    }
  }
  if (gen !== '2.3' && field.data_type === DT.VarChar) {
    const max = Number(param(field, 'max_length'));
    for (const s of values) {
      const len = Buffer.byteLength(s, 'utf8');
      if (len > max) throw failure(`value length(${len}) for field ${field.name} exceeds max_length(${max})`);
    }
  }
  return values;
}

// The bytes Milvus keeps for one row of a vector field: a FloatVector row as
// float32 little-endian (a '<f8' or big-endian file is converted on reading:
// 2.3 internal/util/importutil/numpy_parser.go, 2.5
// internal/util/importutilv2/numpy/field_reader.go read into []float32), a
// BinaryVector row as its packed bytes, as schema.proto's VectorField carries
// them (float_vector.data, binary_vector).
function vectorRows(field, hdr, values) {
  const rows = hdr.shape[0];
  const perRow = hdr.shape[1];
  const out = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = values.slice(r * perRow, (r + 1) * perRow);
    out[r] = field.data_type === DT.FloatVector ? Buffer.from(Float32Array.from(row).buffer) : Buffer.from(row);
  }
  return out;
}

// Runs the whole datanode side of one task. Resolves {rows, ids, vectors}:
// ids are the primary keys (BigInt for Int64, strings for VarChar) or null
// when the PK is auto-generated; vectors maps each vector field's name to
// one Buffer per row (see vectorRows). Rejects with ImportFailure.
async function runImport(cfg, gen, collection, files) {
  const fields = collection.schema.fields;
  const pairs = gen === '2.3' ? matchFiles23(fields, files) : matchFiles25(fields, files, cfg.optionalNullable);
  const loaded = [];
  let totalSize = 0;
  for (const { file, field } of pairs) {
    let got;
    try {
      got = await fetchFile(cfg, file);
    } catch (e) {
      if (gen === '2.3') throw failure(`failed to get file size of '${file}', error:${e.message}`);
      throw failure(`failed to read the file '${file}', error: ${e.message}`);
    }
    const size = got.data.length;
    totalSize += size;
    if (gen === '2.3') {
      if (size === 0) throw failure(`the file '${file}' size is zero`);
      if (size > cfg.maxFileSize()) {
        throw failure(`the file '${file}' size exceeds the maximum size: ${cfg.maxFileSize()} bytes`);
      }
    }
    loaded.push({ file, field, data: got.data });
  }
  if (gen !== '2.3' && totalSize > cfg.maxFileSize()) {
    throw failure(`The import file size has reached the maximum limit allowed for importing, fileSize=${totalSize}, maxSize=${cfg.maxFileSize()}`);
  }
  const columns = [];
  for (const item of loaded) {
    let hdr;
    let elementType;
    try {
      hdr = npy.parseHeader(item.data);
      elementType = npy.elementTypeOf(hdr.descr);
    } catch (e) {
      if (!(e instanceof npy.NpyError)) throw e;
      const dtypeProblem = /^the numpy file dtype/.test(e.message);
      if (gen !== '2.3' && dtypeProblem) throw failure(e.message);
      throw failure(`failed to read the file header '${item.file}', error: ${e.message}`);
    }
    const bad = gen === '2.3' ? headerProblem23(item.field, hdr, elementType) : headerProblem25(item.field, hdr, elementType);
    if (bad) throw failure(bad);
    columns.push({ ...item, hdr, elementType, rows: hdr.shape[0] });
  }
  for (let i = 1; i < columns.length; i++) {
    if (columns[i].rows !== columns[0].rows) {
      throw failure(gen === '2.3'
        ? `the row count(${columns[0].rows}) of file '${columns[0].field.name}.npy' is not equal to row count(${columns[i].rows}) of file '${columns[i].field.name}.npy'`
        : 'imported rows are not aligned');
    }
  }
  let ids = null;
  const vectors = {};
  for (const c of columns) {
    const values = readColumn(gen, c.field, c.hdr, c.elementType, c.data);
    if (c.field.is_primary_key) ids = values.map((v) => (typeof v === 'bigint' ? v : String(v)));
    if (c.field.data_type === DT.FloatVector || c.field.data_type === DT.BinaryVector) {
      vectors[c.field.name] = vectorRows(c.field, c.hdr, values);
    }
  }
  return { rows: columns.length ? columns[0].rows : 0, ids, vectors };
}

module.exports = { runImport, ImportFailure, baseName };
