'use strict';
// CreateCollection schema rules (proxy createCollectionTask + rootcoord),
// with the error texts of the emulated generation. Returns a Status on
// failure, null when the schema is acceptable.

const { DT } = require('./npy');
const st = require('./status');

const MAX_FIELDS = 64;
const MAX_DIM = 32768;
const MAX_VARCHAR = 65535;
const VECTOR_TYPES = [DT.BinaryVector, DT.FloatVector, DT.Float16Vector, DT.BFloat16Vector, DT.SparseFloatVector];

function param(field, key) {
  const kv = (field.type_params || []).find((p) => p.key === key);
  return kv ? kv.value : undefined;
}

function isVector(dt) {
  return VECTOR_TYPES.includes(dt);
}

function checkName(kind, name) {
  const what = kind === 'field' ? 'field' : 'collection';
  if (name === '') return `${what} name should not be empty`;
  if (name.length > 255) {
    return `Invalid ${what} name: ${name}. The length of a ${what} name must be less than 255 characters.`;
  }
  if (!/^[A-Za-z_]/.test(name)) {
    return `Invalid ${what} name: ${name}. The first character of a ${what} name must be an underscore or letter.`;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `Invalid ${what} name: ${name}. ${what === 'field' ? 'Field' : 'Collection'} name can only contain numbers, letters, and underscores.`;
  }
  return null;
}

function checkVector(gen, field) {
  if (field.data_type === DT.SparseFloatVector) {
    return param(field, 'dim') !== undefined
      ? `dim should not be specified for sparse vector field ${field.name}(${field.fieldID})` : null;
  }
  const dimText = param(field, 'dim');
  if (dimText === undefined) {
    return gen === '2.3'
      ? 'dimension is not defined in field type params, check type param `dim` for vector field'
      : `dimension is not defined in field type params of field ${field.name}, check type param \`dim\` for vector field`;
  }
  if (!/^[+-]?\d+$/.test(dimText)) return `strconv.ParseInt: parsing "${dimText}": invalid syntax`;
  const dim = Number(dimText);
  if (dim <= 1) return `invalid dimension: ${dim}. should be in range 2 ~ ${MAX_DIM}`;
  if (field.data_type === DT.BinaryVector) {
    if (dim % 8 !== 0) return `invalid dimension: ${dim}. binary vector dimension should be multiple of 8. `;
    if (dim > MAX_DIM * 8) return `invalid dimension: ${dim}. binary vector dimension should be in range 2 ~ ${MAX_DIM * 8}`;
  } else if (dim > MAX_DIM) {
    return gen === '2.3'
      ? `invalid dimension: ${dim}. float vector dimension should be in range 2 ~ ${MAX_DIM}`
      : `invalid dimension: ${dim} of field ${field.name}. float vector dimension should be in range 2 ~ ${MAX_DIM}`;
  }
  return null;
}

function checkVarChar(collectionName, field) {
  const text = param(field, 'max_length');
  if (text === undefined) {
    return `type param(max_length) should be specified for varChar field of collection ${collectionName}`;
  }
  const n = Number(text);
  if (!/^\d+$/.test(text) || n <= 0 || n > MAX_VARCHAR) {
    return `the maximum length specified for a VarChar should be in (0, ${MAX_VARCHAR}]`;
  }
  return null;
}

function fieldProblem(gen, collectionName, field) {
  const bad = checkName('field', field.name);
  if (bad) return bad;
  if (field.data_type === DT.String) return 'string data type not supported yet, please use VarChar type instead';
  if (field.data_type === DT.None) return 'data type None is not valid';
  if (['RowID', 'Timestamp', '$meta'].includes(field.name)) return `${field.name} is a reserved field name`;
  if (isVector(field.data_type)) return checkVector(gen, field);
  if (field.data_type === DT.VarChar) return checkVarChar(collectionName, field);
  return null;
}

function schemaProblem(gen, collectionName, schema) {
  const fields = schema.fields || [];
  if (fields.length > MAX_FIELDS) return `maximum field's number should be limited to ${MAX_FIELDS}`;
  const seen = new Set();
  for (const f of fields) {
    if (seen.has(f.name)) return `duplicated field name ${f.name}`;
    seen.add(f.name);
  }
  let pk = null;
  for (const f of fields) {
    if (!f.is_primary_key) continue;
    if (pk) return `there are more than one primary key, field name = ${pk.name}, ${f.name}`;
    if (f.data_type !== DT.Int64 && f.data_type !== DT.VarChar) {
      return 'the data type of primary key should be Int64 or VarChar';
    }
    pk = f;
  }
  if (!pk) return 'primary key is not specified';
  for (const f of fields) {
    if (f.autoID && !f.is_primary_key) return `only primary field can speficy AutoID with true, field name = ${f.name}`;
  }
  for (const f of fields) {
    const bad = fieldProblem(gen, collectionName, f);
    if (bad) return bad;
  }
  const vectors = fields.filter((f) => isVector(f.data_type));
  if (gen === '2.3' && vectors.length > 1) {
    return `multiple vector fields is not supported, fields name: ${vectors[0].name}, ${vectors[1].name}`;
  }
  if (gen !== '2.3') {
    if (vectors.length > 4) return 'maximum vector field\'s number should be limited to 4';
    if (vectors.length === 0) return 'schema does not contain vector field';
  }
  return null;
}

// Validates and normalises; on success returns {schema} with field ids from 100.
function validateCreate(gen, req, schema) {
  const nameBad = checkName('collection', req.collection_name);
  if (nameBad) return { status: st.invalidParam(gen, nameBad) };
  const bad = schemaProblem(gen, req.collection_name, schema);
  if (bad) return { status: st.invalidParam(gen, bad) };
  if (schema.name !== req.collection_name) {
    const msg = `collection name = ${req.collection_name}, schema.Name=${schema.name}`;
    if (gen === '2.3') return { status: st.fail(st.CODE.unexpected, msg) };
    return {
      status: st.fail(st.CODE.invalidParameter,
        `${msg}: invalid parameter[expected=collection name matches schema name][actual=don't match]`),
    };
  }
  const fields = schema.fields.map((f, i) => ({ ...f, fieldID: String(100 + i) }));
  return { schema: { ...schema, autoID: false, fields } };
}

// Identity of a schema for idempotent re-creation (ids are server-assigned).
function schemaKey(schema, req) {
  const fields = schema.fields.map((f) => ({
    name: f.name, pk: !!f.is_primary_key, type: f.data_type, autoID: !!f.autoID,
    params: (f.type_params || []).map((p) => `${p.key}=${p.value}`).sort(),
    partitionKey: !!f.is_partition_key, elem: f.element_type || 0, nullable: !!f.nullable,
  }));
  return JSON.stringify({ fields, dyn: !!schema.enable_dynamic_field, shards: req.shards_num || 1 });
}

module.exports = { validateCreate, schemaKey, param, isVector };
