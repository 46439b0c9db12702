'use strict';
// .npy reading and validation the way Milvus does it: the header dict is cut
// at fixed substring positions (as the npyio v0.6.0 reader Milvus links does),
// not parsed as a Python literal, so files that numpy itself would accept but
// that are not laid out byte-for-byte like numpy's own output fail here too.

const DT = {
  None: 0, Bool: 1, Int8: 2, Int16: 3, Int32: 4, Int64: 5, Float: 10, Double: 11,
  String: 20, VarChar: 21, Array: 22, JSON: 23, BinaryVector: 100, FloatVector: 101,
  Float16Vector: 102, BFloat16Vector: 103, SparseFloatVector: 104,
};
const DT_NAME = Object.fromEntries(Object.entries(DT).map(([k, v]) => [v, k]));

// Names used by the 2.3 importutil getTypeName().
function typeName23(dt) {
  if (dt === DT.VarChar) return 'Varchar';
  return DT_NAME[dt] || 'InvalidType';
}

class NpyError extends Error {}

const DESCR_TYPES = [
  [['b1', '<b1', '|b1', 'bool'], DT.Bool],
  [['i1', '<i1', '|i1', '>i1', 'int8'], DT.Int8],
  [['i2', '<i2', '|i2', '>i2', 'int16'], DT.Int16],
  [['i4', '<i4', '|i4', '>i4', 'int32'], DT.Int32],
  [['i8', '<i8', '|i8', '>i8', 'int64'], DT.Int64],
  [['u1', '<u1', '|u1', 'uint8'], DT.BinaryVector],
  [['f4', '<f4', '|f4', '>f4', 'float32'], DT.Float],
  [['f8', '<f8', '|f8', '>f8', 'float64'], DT.Double],
];
const STRING_DESCR = /^[<>|]?([US])(\d+)$/;

// Returns the Milvus element type for a descr, or throws NpyError.
function elementTypeOf(descr) {
  for (const [names, dt] of DESCR_TYPES) if (names.includes(descr)) return dt;
  if (STRING_DESCR.test(descr)) return DT.VarChar;
  throw new NpyError(`the numpy file dtype '${descr}' is not supported`);
}

// Parses the preamble and header dict. Throws NpyError with npyio-like text.
function parseHeader(buf) {
  if (buf.length < 10) throw new NpyError('npy: could not read magic string: unexpected EOF');
  if (buf.subarray(0, 6).toString('latin1') !== '\x93NUMPY') {
    throw new NpyError('npy: invalid magic string');
  }
  const major = buf[6];
  let headerLen;
  let start;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2) {
    if (buf.length < 12) throw new NpyError('npy: could not read header length: unexpected EOF');
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    throw new NpyError(`npy: invalid major version number (${major})`);
  }
  if (buf.length < start + headerLen) throw new NpyError('npy: could not read header: unexpected EOF');
  let text = buf.subarray(start, start + headerLen).toString('latin1');
  const nl = text.lastIndexOf('\n');
  if (nl >= 0) text = text.slice(0, nl);

  const kDescr = "'descr': ";
  const kFortran = "'fortran_order': ";
  const kShape = "'shape': ";
  const iDescr = text.indexOf(kDescr);
  const iFortran = text.indexOf(kFortran);
  const iShape = text.indexOf(kShape);
  const iEnd = text.indexOf('}');
  if (iDescr < 0 || iFortran < 0 || iShape < 0 || iEnd < 0) {
    throw new NpyError(`npy: invalid header dict: ${JSON.stringify(text)}`);
  }
  // Same offsets npyio uses: skip the opening quote, drop the "', " tail.
  const descr = text.slice(iDescr + kDescr.length + 1, iFortran - 3);
  const fortranText = text.slice(iFortran + kFortran.length, iShape - 2);
  let fortranOrder;
  if (fortranText === 'False') fortranOrder = false;
  else if (fortranText === 'True') fortranOrder = true;
  else throw new NpyError(`npy: invalid fortran_order value (${fortranText})`);
  const shapeText = text.slice(iShape + kShape.length, iEnd - 2);
  const inner = shapeText.replace(/^\(/, '').replace(/\)$/, '');
  const shape = [];
  for (const part of inner.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (!/^-?\d+$/.test(p)) throw new NpyError(`strconv.Atoi: parsing "${p}": invalid syntax`);
    shape.push(Number(p));
  }
  return { major, descr, fortranOrder, shape, dataOffset: start + headerLen };
}

function littleEndian(descr) {
  return descr[0] !== '>';
}

const ELEMENT_SIZE = {
  [DT.Bool]: 1, [DT.Int8]: 1, [DT.Int16]: 2, [DT.Int32]: 4, [DT.Int64]: 8,
  [DT.Float]: 4, [DT.Double]: 8, [DT.BinaryVector]: 1,
};

function elementSize(descr, elementType) {
  const m = STRING_DESCR.exec(descr);
  if (m) return Number(m[2]) * (m[1] === 'U' ? 4 : 1);
  return ELEMENT_SIZE[elementType];
}

// Reads `count` elements; returns null when the data section is short.
function readValues(buf, hdr, elementType, count) {
  const size = elementSize(hdr.descr, elementType);
  const need = size * count;
  if (buf.length - hdr.dataOffset < need) return null;
  const le = littleEndian(hdr.descr);
  const out = new Array(count);
  let off = hdr.dataOffset;
  const m = STRING_DESCR.exec(hdr.descr);
  for (let i = 0; i < count; i++, off += size) {
    if (m) {
      const raw = buf.subarray(off, off + size);
      let s;
      if (m[1] === 'U') {
        const cps = [];
        for (let j = 0; j < size; j += 4) {
          const cp = le ? raw.readUInt32LE(j) : raw.readUInt32BE(j);
          if (cp !== 0) cps.push(cp);
        }
        s = String.fromCodePoint(...cps);
      } else {
        s = Buffer.from(raw.filter((b) => b !== 0)).toString('utf8');
      }
      out[i] = s;
      continue;
    }
    switch (elementType) {
      case DT.Bool: out[i] = buf[off] !== 0; break;
      case DT.Int8: out[i] = buf.readInt8(off); break;
      case DT.BinaryVector: out[i] = buf[off]; break;
      case DT.Int16: out[i] = le ? buf.readInt16LE(off) : buf.readInt16BE(off); break;
      case DT.Int32: out[i] = le ? buf.readInt32LE(off) : buf.readInt32BE(off); break;
      case DT.Int64: out[i] = le ? buf.readBigInt64LE(off) : buf.readBigInt64BE(off); break;
      case DT.Float: out[i] = le ? buf.readFloatLE(off) : buf.readFloatBE(off); break;
      case DT.Double: out[i] = le ? buf.readDoubleLE(off) : buf.readDoubleBE(off); break;
      default: throw new Error(`unreadable element type ${elementType}`);
    }
  }
  return out;
}

// Go's %f of a non-finite float64.
function goFloat(v) {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

module.exports = {
  DT, DT_NAME, typeName23, NpyError, parseHeader, elementTypeOf, readValues, goFloat,
};
