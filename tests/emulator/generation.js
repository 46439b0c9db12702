'use strict';
// The Milvus 2.x generations the emulator plays, and what tells them apart
// for a client of the v1 bulk-insert RPCs (details and sources in the
// project's Milvus 2.x protocol notes, sections 1.2, 2.1 and 6.5):
//
// - Import: 2.2 and 2.3 run it through rootcoord's import manager
//   (internal/rootcoord/import_manager.go of the 2.2.0 and 2.3 branches;
//   states Pending, Started, Persisted, Completed, failures end in
//   FailedAndCleaned); 2.4 and 2.5 run the v1 RPCs as adapters over import
//   v2 (internal/proxy/impl.go Import -> ImportV2, milvus master 8cb06ac,
//   before the 2.4 branch cut). The code paths keyed on the family '2.3'
//   serve the first pair, those keyed on '2.5' the second, texts included.
// - common.Status: `code`, `retriable` and `detail` exist from 2.3
//   (milvus-proto common.proto, branch 2.3); a 2.2 server fills only
//   error_code and reason.
// - Connect and ListDatabases (databases) exist from 2.2.9 (milvus-proto
//   milvus.proto, added 2023-05-17, first in go-api v2.2.10); a server
//   before that answers them UNIMPLEMENTED and ignores the dbname header.
//   GetVersion exists from 2.2.0.

const GENERATIONS = {
  '2.2': { family: '2.3', version: 'v2.2.16', merrStatus: false },
  '2.3': { family: '2.3', version: 'v2.3.21', merrStatus: true },
  '2.4': { family: '2.5', version: 'v2.4.15', merrStatus: true },
  '2.5': { family: '2.5', version: 'v2.5.4', merrStatus: true },
};

function parseVersion(v) {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? m.slice(1, 4).map(Number) : null;
}

function atLeast(v, want) {
  for (let i = 0; i < 3; i++) if (v[i] !== want[i]) return v[i] > want[i];
  return true;
}

// {generation, family, version, merrStatus, databases} or an error text.
// `version` (vX.Y.Z within the generation) overrides the build it reports.
function resolveGeneration(generation, version) {
  const g = GENERATIONS[generation];
  if (!g) return `--generation must be one of ${Object.keys(GENERATIONS).join(', ')}, not '${generation}'`;
  const v = version || g.version;
  const parts = parseVersion(v);
  if (!parts || `${parts[0]}.${parts[1]}` !== generation) {
    return `--version must be v${generation}.N for generation ${generation}, not '${v}'`;
  }
  return {
    generation, family: g.family, version: v, merrStatus: g.merrStatus, databases: atLeast(parts, [2, 2, 9]),
  };
}

// What a 2.2 server's Status carries: no merr fields.
function withoutMerr(resp) {
  const strip = (s) => {
    if (!s || typeof s !== 'object') return;
    s.code = 0;
    s.retriable = false;
    s.detail = '';
  };
  if (resp && typeof resp.status === 'object') strip(resp.status);
  else if (resp && 'error_code' in resp) strip(resp);
  return resp;
}

module.exports = { GENERATIONS, resolveGeneration, withoutMerr };
