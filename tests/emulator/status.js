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

function isOk(status) {
  return !status.code && !status.error_code;
}

module.exports = {
  CODE, ok, fail, invalidParam, collectionNotFound, partitionNotFound, databaseNotFound, isOk,
};
