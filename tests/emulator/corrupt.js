'use strict';
// Content faults: an import that stores wrong rows while the row count stays
// right, as a broken pipeline would (a byte-order or dtype slip, rows shifted
// between batches). No Milvus code does this; the faults exist so that tests
// prove the verification's content sample catches each kind. POST /faults
// {"corruptImport": {...}}:
//   {collection, kind: "flipBit", id}          the lowest bit of the first byte of that row's vector flips
//   {collection, kind: "swapIds", id, other}   the two rows exchange their vectors (each id gets the other's)
//   {collection, kind: "dropRow", id, other}   the row is not stored; the row `other` is stored twice instead
// It applies to the first import of the collection that holds the ids, then
// clears itself; `partition` (optional) narrows it to one partition.

const KINDS = ['flipBit', 'swapIds', 'dropRow'];

// A fault as posted, or an error text.
function checkFault(f) {
  if (f === null) return null;
  if (typeof f !== 'object' || !f.collection || !KINDS.includes(f.kind) || f.id === undefined) {
    return `corruptImport needs {collection, kind: ${KINDS.join('|')}, id[, other][, partition]}`;
  }
  if (f.kind !== 'flipBit' && f.other === undefined) return `corruptImport ${f.kind} needs "other"`;
  return null;
}

function indexOf(ids, id) {
  const want = String(id);
  return ids.findIndex((v) => String(v) === want);
}

// Applies the fault to an import's result {rows, ids, vectors} when it
// targets this task; returns a description of what was done, or null.
function corruptImport(fault, task, result) {
  if (!fault || fault.collection !== task.collection || !result.ids) return null;
  if (fault.partition !== undefined && fault.partition !== task.partition) return null;
  const a = indexOf(result.ids, fault.id);
  const b = fault.other === undefined ? -1 : indexOf(result.ids, fault.other);
  if (a < 0 || (fault.kind !== 'flipBit' && b < 0)) return null;
  for (const rows of Object.values(result.vectors)) {
    if (fault.kind === 'flipBit') {
      rows[a] = Buffer.from(rows[a]);
      rows[a][0] ^= 1;
    } else if (fault.kind === 'swapIds') {
      [rows[a], rows[b]] = [rows[b], rows[a]];
    } else {
      rows.push(Buffer.from(rows[b]));
      rows.splice(a, 1);
    }
  }
  if (fault.kind === 'dropRow') {
    result.ids.push(result.ids[b]);
    result.ids.splice(a, 1);
  }
  return `${fault.kind} id=${fault.id}${fault.other === undefined ? '' : ` other=${fault.other}`}`;
}

module.exports = { checkFault, corruptImport };
