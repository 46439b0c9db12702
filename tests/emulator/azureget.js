'use strict';
// GET of one blob from Azure Blob Storage (or Azurite) with Shared Key
// authorization, for an emulated Milvus whose storage is an Azure container.
// Written by hand because the emulator may depend on nothing outside the
// SDK's package tree.
//
// Options: --azure-endpoint URL (the account's Blob service, e.g.
// https://acct.blob.core.windows.net or http://127.0.0.1:10000/acct)
// --azure-account NAME --azure-key BASE64 --azure-container NAME

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const AZURE_OPTIONS = ['azure-endpoint', 'azure-account', 'azure-key', 'azure-container'];
const API_VERSION = '2021-08-06';

// The Azure settings of the parsed options, or null; dies on a partial set.
function azureFromOptions(o, die) {
  if (!AZURE_OPTIONS.some((k) => o[k])) return null;
  const missing = AZURE_OPTIONS.filter((k) => !o[k]);
  if (missing.length) die(`Azure storage needs ${missing.map((k) => `--${k}`).join(', ')}`);
  return {
    endpoint: o['azure-endpoint'].replace(/\/+$/, ''), account: o['azure-account'],
    key: Buffer.from(o['azure-key'], 'base64'), container: o['azure-container'],
  };
}

function encodeSegment(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function signedGetOptions(cfg, key, now = new Date()) {
  const url = new URL(cfg.endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  const path = `${base}/${encodeSegment(cfg.container)}/${key.replace(/^\/+/, '').split('/').map(encodeSegment).join('/')}`;
  const headers = { 'x-ms-date': now.toUTCString(), 'x-ms-version': API_VERSION };
  // VERB, six empty content headers, Date, four conditionals and Range, then
  // the x-ms-* headers and the resource.
  const stringToSign = ['GET', '', '', '', '', '', '', '', '', '', '', '', ''].join('\n')
    + Object.keys(headers).sort().map((h) => `${h}:${headers[h]}\n`).join('')
    + `/${cfg.account}${path}`;
  const signature = crypto.createHmac('sha256', cfg.key).update(stringToSign, 'utf8').digest('base64');
  headers.authorization = `SharedKey ${cfg.account}:${signature}`;
  return { protocol: url.protocol, hostname: url.hostname, port: url.port, method: 'GET', path, headers };
}

// Resolves to a Buffer; rejects with an Error naming the blob and the status
// (never the key), with .notFound for a missing blob.
function azureGet(cfg, key) {
  const opts = signedGetOptions(cfg, key);
  const lib = opts.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(opts, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) {
          resolve(body);
          return;
        }
        const code = res.headers['x-ms-error-code'];
        const err = new Error(code === 'BlobNotFound'
          ? 'The specified blob does not exist.'
          : `GET ${cfg.container}/${key}: HTTP ${res.statusCode}${code ? ` ${code}` : ''}`);
        err.notFound = res.statusCode === 404;
        reject(err);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

module.exports = { AZURE_OPTIONS, azureFromOptions, azureGet, signedGetOptions };
