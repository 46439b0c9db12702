'use strict';
// Minimal SigV4-signed GET of one object, path-style. Written by hand because
// the emulator may depend on nothing outside the SDK's package tree.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

function sha256Hex(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest();
}

// RFC 3986 encoding of one path segment, as SigV4 wants it.
function encodeSegment(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function signedGetOptions(cfg, key, now = new Date()) {
  const url = new URL(cfg.endpoint);
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const path = `/${encodeSegment(cfg.bucket)}/${key.replace(/^\/+/, '').split('/').map(encodeSegment).join('/')}`;
  const payloadHash = sha256Hex('');
  const host = url.host;
  const canonicalHeaders = `host:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${amzDate}\n`;
  const signedHeaders = 'host;x-amz-content-sha256;x-amz-date';
  const canonicalRequest = ['GET', path, '', canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${cfg.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let k = hmac(`AWS4${cfg.secretKey}`, day);
  k = hmac(k, cfg.region);
  k = hmac(k, 's3');
  k = hmac(k, 'aws4_request');
  const signature = crypto.createHmac('sha256', k).update(stringToSign).digest('hex');
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    method: 'GET',
    path,
    headers: {
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${cfg.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
  };
}

// Resolves to a Buffer; rejects with an Error whose message names the key and
// the HTTP status (never the credentials).
function s3Get(cfg, key) {
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
        const code = /<Code>([^<]*)<\/Code>/.exec(body.toString('utf8'));
        const err = new Error(code && code[1] === 'NoSuchKey'
          ? 'The specified key does not exist.'
          : `GET ${cfg.bucket}/${key}: HTTP ${res.statusCode}${code ? ` ${code[1]}` : ''}`);
        err.notFound = res.statusCode === 404;
        reject(err);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

module.exports = { s3Get, signedGetOptions };
