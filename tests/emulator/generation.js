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
// - 2.6 and 3.0 keep the 2.5 family's v1 adapters (internal/proxy/impl.go
//   Import 5124-5132, convertToV1GetImportResponse 5045-5093 on 2.6 at
//   bede7cf6) and differ where the flags below say; the Milvus upstream
//   notes of the project (A1-A8) cite each line:
//   * lateJob (2.6.14+, 3.0): DataCoord ImportV2 broadcasts the import and
//     creates the job in the WAL ack callback
//     (internal/datacoord/ddl_callbacks_import.go 38-86 and 131-189 on 2.6,
//     171-229 on 3.0), retried without a time limit
//     (internal/streamingcoord/server/broadcaster/ack_callback_scheduler.go
//     294-318, MaxElapsedTime 0); a client whose deadline passes first gets
//     no job id, and the job appears later. Before 2.6.14 (commit
//     66e48546fc69) and on 2.4/2.5 the job exists before Import answers.
//   * sysFailedCode (2.6.19+, 3.0): a missing job and "try again later"
//     answer merr 2101 ErrImportSysFailed (pkg/util/merr/errors.go 265 on
//     2.6; internal/datacoord/services.go 1996 on 2.6, 2085 on 3.0), and the
//     reason is the whole wrap chain; before (2.5, 2.6.0-2.6.18) both are
//     2100 with the innermost text (services.go 1997 at f15a9962).
//   * optionalNullable (2.6.0+): the NumPy reader makes the files of
//     nullable and default-value fields optional
//     (internal/util/importutilv2/numpy/util.go 105-124, since commit
//     1ee8cea35b8); 2.5 refuses any nullable field (numpy/reader.go 48-53).
//   * countImporting (2.6, 3.0): statistics count the segments of a running
//     import (internal/datacoord/meta.go isSegmentHealthy 2090-2095 on 2.6,
//     import_task_import.go ~203-207 raises NumOfRows as data is written),
//     and a failed job's segments are dropped only by the next passes of the
//     import checker and inspector, 2 s apart (import_checker.go 468-488,
//     import_inspector.go 132-152), modelled by the fault failedRowsMs.

const GENERATIONS = {
  '2.2': { family: '2.3', version: 'v2.2.16', merrStatus: false },
  '2.3': { family: '2.3', version: 'v2.3.21', merrStatus: true },
  '2.4': { family: '2.5', version: 'v2.4.15', merrStatus: true },
  '2.5': { family: '2.5', version: 'v2.5.4', merrStatus: true },
  '2.6': { family: '2.5', version: 'v2.6.22', merrStatus: true },
  '3.0': { family: '2.5', version: 'v3.0.0', merrStatus: true },
};

function parseVersion(v) {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? m.slice(1, 4).map(Number) : null;
}

function atLeast(v, want) {
  for (let i = 0; i < 3; i++) if (v[i] !== want[i]) return v[i] > want[i];
  return true;
}

// {generation, family, version, merrStatus, databases, lateJob,
// sysFailedCode, optionalNullable, countImporting} or an error text.
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
    lateJob: atLeast(parts, [2, 6, 14]),
    sysFailedCode: atLeast(parts, [2, 6, 19]),
    optionalNullable: atLeast(parts, [2, 6, 0]),
    countImporting: atLeast(parts, [2, 6, 0]),
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
