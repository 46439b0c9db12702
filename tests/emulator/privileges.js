'use strict';
// RBAC as the proxy's privilege interceptor applies it: the privilege each
// request message names in its milvus-proto `privilege_ext_obj` option
// (proto/milvus.proto of the 2.5, 2.6 and 3.0 branches; object type
// Collection), and the denial, a gRPC PERMISSION_DENIED status rather than
// a Status in the response (internal/proxy/privilege_interceptor.go 179-180
// on 2.6, 208-209 on 3.0, 217-218 on 2.5). Requests without the option
// (HasCollection, GetImportState, ListImportTasks; GetPartitionStatistics in
// every release up to v2.6.22 and v3.0.0) pass for any authenticated user
// (privilege_interceptor.go 51-55 on 2.6).

const PRIVILEGE_OF = {
  CreateCollection: 'CreateCollection',
  DescribeCollection: 'DescribeCollection',
  DropCollection: 'DropCollection',
  CreatePartition: 'CreatePartition',
  ShowPartitions: 'ShowPartitions',
  Import: 'Import',
  GetCollectionStatistics: 'GetStatistics',
  CreateIndex: 'CreateIndex',
  DescribeIndex: 'IndexDetail',
  LoadCollection: 'Load',
  GetLoadState: 'GetLoadState',
  GetLoadingProgress: 'GetLoadState',
  ReleaseCollection: 'Release',
  Query: 'Query',
  Flush: 'Flush',
};

// The gRPC error for `rpc` when `user` lacks its privilege, else null.
function denial(rpc, user, db, denied) {
  const privilege = PRIVILEGE_OF[rpc];
  if (!privilege || !denied.includes(privilege)) return null;
  return `Privilege${privilege}: permission deny to ${user} in the \`${db}\` database`;
}

module.exports = { PRIVILEGE_OF, denial };
