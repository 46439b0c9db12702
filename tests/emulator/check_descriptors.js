'use strict';
// Cross-checks our compiled protobuf descriptors (dumped to JSON by a C tool)
// against the official descriptors shipped in @zilliz/milvus2-sdk-node
// (descriptors.js): every message, field and enum value we have must exist
// upstream with the same number, type and repeated-ness.
//
//   node check_descriptors.js [--sdk 3.0|2.5] OURS.json
//
// --sdk picks the pinned SDK line (default 3.0); the first output line
// names the SDK release checked against.
//
// OURS.json: {"messages": {"pkg.Msg": [{"name", "number", "label": "optional"|"repeated",
//             "type": "int32"|…|"enum"|"message", "typeName"?}]}, "enums": {"pkg.Enum": {"Name": n}}}

const fs = require('node:fs');
const protobuf = require('protobufjs');
const { loadRoot, sdkVersion, SDKS } = require('./descriptors');

function lookup(root, fullName, kind) {
  try {
    const found = root.lookup(fullName);
    return found instanceof kind ? found : null;
  } catch (e) {
    return null;
  }
}

function describeUpstream(field) {
  const label = field.repeated || field.map ? 'repeated' : 'optional';
  let type = field.type;
  let typeName;
  if (field.map) {
    type = 'message';
    typeName = `map<${field.keyType},${field.type}>`;
  } else if (field.resolvedType instanceof protobuf.Enum) {
    type = 'enum';
    typeName = field.resolvedType.fullName.replace(/^\./, '');
  } else if (field.resolvedType instanceof protobuf.Type) {
    type = 'message';
    typeName = field.resolvedType.fullName.replace(/^\./, '');
  }
  return { number: field.id, label, type, typeName, map: !!field.map };
}

function show(d) {
  return `number=${d.number} label=${d.label} type=${d.type}${d.typeName ? ` typeName=${d.typeName}` : ''}`;
}

function sameField(ours, up) {
  if (ours.number !== up.number || ours.label !== up.label || ours.type !== up.type) return false;
  if (up.map) return true; // ours models a map as repeated <Name>Entry messages
  if (ours.type === 'enum' || ours.type === 'message') return ours.typeName === up.typeName;
  return true;
}

function main() {
  const argv = process.argv.slice(2);
  let line = '3.0';
  if (argv[0] === '--sdk') {
    line = argv[1];
    argv.splice(0, 2);
  }
  const file = argv[0];
  if (!file || !SDKS[line]) {
    console.error('usage: node check_descriptors.js [--sdk 3.0|2.5] OURS.json');
    process.exit(2);
  }
  let ours;
  try {
    ours = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`check_descriptors: cannot read ${file}: ${e.message}`);
    process.exit(2);
  }
  const root = loadRoot(line);
  console.log(`sdk: ${SDKS[line]} ${sdkVersion(line)}`);
  const messages = Object.entries(ours.messages || {});
  const enums = Object.entries(ours.enums || {});
  let nFields = 0;
  let nValues = 0;
  const mismatches = [];
  for (const [msgName, fields] of messages) {
    const type = lookup(root, msgName, protobuf.Type);
    if (!type) {
      mismatches.push(`MISMATCH ${msgName}: ours message upstream missing`);
      continue;
    }
    for (const f of fields) {
      nFields += 1;
      const upField = type.fields[f.name];
      if (!upField) {
        mismatches.push(`MISMATCH ${msgName}.${f.name}: ours ${show(f)} upstream missing`);
        continue;
      }
      const up = describeUpstream(upField);
      if (!sameField(f, up)) mismatches.push(`MISMATCH ${msgName}.${f.name}: ours ${show(f)} upstream ${show(up)}`);
    }
  }
  for (const [enumName, values] of enums) {
    const en = lookup(root, enumName, protobuf.Enum);
    if (!en) {
      mismatches.push(`MISMATCH ${enumName}: ours enum upstream missing`);
      continue;
    }
    for (const [name, value] of Object.entries(values)) {
      nValues += 1;
      if (!(name in en.values)) mismatches.push(`MISMATCH ${enumName}.${name}: ours ${value} upstream missing`);
      else if (en.values[name] !== value) mismatches.push(`MISMATCH ${enumName}.${name}: ours ${value} upstream ${en.values[name]}`);
    }
  }
  for (const m of mismatches) console.log(m);
  console.log(`descriptors: ${messages.length} messages, ${nFields} fields, ${nValues} enum values checked, ${mismatches.length} mismatches`);
  if (messages.length === 0 && enums.length === 0) {
    console.log(`check_descriptors: ${file} holds no messages or enums; the descriptor dump is empty`);
    process.exit(1);
  }
  process.exit(mismatches.length ? 1 : 0);
}

main();
