'use strict';
// The official Milvus descriptors, as @zilliz/milvus2-sdk-node ships them:
// from 2.5.9 on only as protobufjs JSON in dist/milvus/proto-json/milvus.js
// (`exports.default`), which the SDK itself loads with protobufjs'
// Root.fromJSON (dist/milvus/grpc/BaseClient.js) and proto-loader's
// fromJSON (dist/milvus/utils/Grpc.js). Loading them the same way works for
// any SDK release that has them, so a newer SDK is a change of the pin in
// package.json and nothing else.
//
// Two SDKs are pinned (package.json): the newest of the 3.0 line under its
// own name, which the emulator serves, and one of the 2.5 line under the
// alias milvus2-sdk-node-2.5, against which the client's descriptors are
// cross-checked too (check_descriptors.js --sdk).

const protobuf = require('protobufjs');
const protoLoader = require('@grpc/proto-loader');

const SDKS = {
  '3.0': '@zilliz/milvus2-sdk-node',
  '2.5': 'milvus2-sdk-node-2.5',
};
const SERVICE = 'milvus.proto.milvus.MilvusService';
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true };

function sdkPackage(line) {
  const pkg = SDKS[line];
  if (!pkg) throw new Error(`no SDK pinned for line '${line}' (known: ${Object.keys(SDKS).join(', ')})`);
  return pkg;
}

// The protobufjs JSON of an SDK line's milvus.proto (with common, schema,
// msg and rg, which it imports).
function descriptorJson(line = '3.0') {
  return require(`${sdkPackage(line)}/dist/milvus/proto-json/milvus.js`).default;
}

function sdkVersion(line = '3.0') {
  return require(`${sdkPackage(line)}/package.json`).version;
}

function loadRoot(line = '3.0') {
  const root = protobuf.Root.fromJSON(descriptorJson(line));
  root.resolveAll();
  return root;
}

// The grpc-js service definition of MilvusService.
function loadService(line = '3.0') {
  const grpc = require('@grpc/grpc-js');
  const def = protoLoader.fromJSON(descriptorJson(line), LOADER_OPTIONS);
  return grpc.loadPackageDefinition(def).milvus.proto.milvus.MilvusService.service;
}

module.exports = { SDKS, SERVICE, descriptorJson, sdkVersion, loadRoot, loadService };
