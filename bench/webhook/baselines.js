#!/usr/bin/env node
/**
 * Baseline responders for bench/webhook: the same TLS and keep-alive settings as `oneproc serve`,
 * without the webhook. `noop` ignores the body and answers a fixed AdmissionReview; `echo` reads
 * the body, JSON.parses it and echoes the uid (the least a correct webhook must do).
 * Usage: node bench/webhook/baselines.js noop|echo CERT KEY   (prints {"msg":"ready","port":N})
 */
const { readFileSync } = require('node:fs');
const { createServer } = require('node:https');

const [kind, certFile, keyFile] = process.argv.slice(2);
const fixed = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
});
const server = createServer(
  {
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    minVersion: 'TLSv1.2',
    keepAliveTimeout: 120000,
  },
  (req, res) => {
    if (kind === 'noop') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(fixed),
        });
        res.end(fixed);
      });
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let uid = '';
      try {
        uid = JSON.parse(Buffer.concat(chunks).toString('utf8')).request.uid;
      } catch {}
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid, allowed: true },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'ready', port: server.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
