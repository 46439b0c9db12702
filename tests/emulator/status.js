'use strict';
// common.Status construction. 2.3+ servers fill the merr `code` and the
// deprecated `error_code` through merr's oldCode() table; every merr code
// missing from that table maps to UnexpectedError (1).

const OLD_CODE = {
  1: 56, 100: 4, 1100: 5, 200: 15, 700: 25, 8: 49, 9: 48, 7: 54, 3: 52, 600: 47, 109: 62,
};

const CODE = {
  unexpected: 65535,
  collectionNotFound: 100,
  partitionNotFound: 200,
  indexNotFound: 700,
  databaseNotFound: 800,
  invalidParameter: 1100,
  importFailed: 2100,
  importSysFailed: 2101,
  rateLimit: 8,
};

function ok() {
  return {};
}

function fail(code, reason, errorCode) {
  return {
    error_code: errorCode !== undefined ? errorCode : (OLD_CODE[code] || 1),
    reason,
    code,
    retriable: false,
    detail: reason,
  };
}

// A plain Go error from 2.3 code (fmt.Errorf) becomes merr "unexpected";
// 2.5 wraps the same checks in merr.WrapErrParameterInvalidMsg.
function invalidParam(gen, msg) {
  if (gen === '2.3') return fail(CODE.unexpected, msg);
  return fail(CODE.invalidParameter, `${msg}: invalid parameter`);
}

function collectionNotFound(name) {
  return fail(CODE.collectionNotFound, `collection not found[collection=${name}]`);
}

function partitionNotFound(name) {
  return fail(CODE.partitionNotFound, `partition not found[partition=${name}]`);
}

function databaseNotFound(name) {
  return fail(CODE.databaseNotFound, `database not found[database=${name}]`);
}

// merr.ErrServiceRateLimit (pkg/util/merr/errors.go 66 on 2.6), retriable,
// as the proxy's RateLimitInterceptor answers it inside the method's
// response (internal/proxy/rate_limit_interceptor.go 40-73; the text of
// internal/util/ratelimitutil/rate_limiter_tree.go 115).
function rateLimited(rate) {
  const reason = `request is rejected by grpc RateLimiter middleware, please retry later: rate limit exceeded[rate=${rate}]`;
  return { ...fail(CODE.rateLimit, reason), retriable: true };
}

// A missing or expired import job (internal/datacoord/services.go 1996 on
// 2.6, 2085 on 3.0; 1997 on 2.6.18): 2101 with the whole chain as reason
// from 2.6.19 on, 2100 and the innermost text before.
function importJobMissing(played, jobId) {
  const text = `import job does not exist, jobID=${jobId}`;
  if (played.sysFailedCode) return fail(CODE.importSysFailed, `${text}: importing data failed on server side`);
  return fail(CODE.importFailed, text);
}

// Too many unfinished jobs (internal/datacoord/import_util.go 787-797 on
// 2.6): wrapped by broadcastImport on 2.6.14+ (ddl_callbacks_import.go
// 150-151, services.go 1864-1867); 2101 from 2.6.19, 2100 before.
const JOB_LIMIT_TEXT = 'The number of jobs has reached the limit, please try again later. If your request is set to '
  + 'only import a single file, please consider importing multiple files in one request for better efficiency.';
function importJobLimit(played) {
  if (played.sysFailedCode) {
    return fail(CODE.importSysFailed, `failed to broadcast import: failed to validate import request: ${JOB_LIMIT_TEXT}: `
      + 'importing data failed on server side');
  }
  return fail(CODE.importFailed, JOB_LIMIT_TEXT);
}

function isOk(status) {
  return !status.code && !status.error_code;
}

module.exports = {
  CODE, ok, fail, invalidParam, collectionNotFound, partitionNotFound, databaseNotFound, isOk, rateLimited,
  importJobMissing, importJobLimit,
};
