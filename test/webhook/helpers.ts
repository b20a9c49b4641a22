/**
 * Test helpers for the webhook: a CA and serving certificates made at test time, a Secret-volume-like
 * directory whose `..data` symlink can be swapped, an HTTPS client that verifies the server as the API
 * server does, and AdmissionReview builders.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type KeyPair = webcrypto.CryptoKeyPair;

export const SERVICE_NAME = 'oneproc.oneproc-system.svc';
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Ca {
  readonly pem: string;
  issue(options?: {
    dns?: string;
    notBefore?: Date;
    notAfter?: Date;
  }): Promise<{ cert: string; key: string }>;
}

/** A fresh CA (P-256) that issues serving certificates for the webhook Service. */
export async function makeCa(): Promise<Ca> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=oneproc test CA',
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    pem: caCert.toString('pem'),
    async issue(options = {}) {
      const dns = options.dns ?? SERVICE_NAME;
      const serverKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${dns}`,
        issuer: caCert.subject,
        publicKey: serverKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        notBefore: options.notBefore ?? new Date(Date.now() - 60_000),
        notAfter: options.notAfter ?? new Date(Date.now() + 86_400_000),
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dns }]),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ],
      });
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey);
      return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
    },
  };
}

/**
 * A directory laid out like a mounted Secret: `tls.crt` → `..data/tls.crt`, `..data` → a timestamped
 * directory. `swap` writes a new timestamped directory and renames a new symlink over `..data`.
 */
export class SecretDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'oneproc-secret-'));
  private generation = 0;

  constructor(pair: { cert: string; key: string }) {
    this.write(pair);
    symlinkSync('..data/tls.crt', join(this.dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(this.dir, 'tls.key'));
  }

  get certFile(): string {
    return join(this.dir, 'tls.crt');
  }

  get keyFile(): string {
    return join(this.dir, 'tls.key');
  }

  swap(pair: { cert: string; key: string }): void {
    this.write(pair);
  }

  private write(pair: { cert: string; key: string }): void {
    const name = `..2026_11_26_00_00_00.${++this.generation}`;
    mkdirSync(join(this.dir, name));
    writeFileSync(join(this.dir, name, 'tls.crt'), pair.cert);
    writeFileSync(join(this.dir, name, 'tls.key'), pair.key);
    symlinkSync(name, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint256: string;
}

/** An HTTPS client that trusts only `ca` and checks the Service name, as the API server does. */
export class ApiServerClient {
  readonly agent: Agent;

  constructor(
    readonly port: number,
    readonly ca: string,
    options: { keepAlive?: boolean; maxSockets?: number } = {},
  ) {
    this.agent = new Agent({
      keepAlive: options.keepAlive ?? true,
      maxSockets: options.maxSockets ?? 8,
      ca,
      servername: SERVICE_NAME,
      // The API server's Go client does not resume TLS sessions: every connection is a full handshake.
      maxCachedSessions: 0,
    });
  }

  send(
    path: string,
    body: string | Buffer,
    options: { method?: string; contentType?: string | null } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
      if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method: options.method ?? 'POST',
          agent: this.agent,
          servername: SERVICE_NAME,
          ca: this.ca,
          headers,
        },
        (res) => {
          // The socket goes back to the agent's pool at the end of the response: read it now.
          const fingerprint256 = (res.socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '';
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json,
              fingerprint256,
            });
          });
        },
      );
      // Whether the request could have reached the server: only after a completed TLS handshake.
      let handshaken = false;
      req.on('socket', (socket) => {
        const tls = socket as TLSSocket;
        if (!tls.connecting && tls.encrypted) handshaken = true;
        else tls.once('secureConnect', () => (handshaken = true));
      });
      req.on('error', (err: Error & { handshaken?: boolean }) => {
        err.handshaken = handshaken;
        reject(err);
      });
      req.end(body);
    });
  }

  get(path: string): Promise<Answer> {
    return this.send(path, '', { method: 'GET', contentType: null });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface ReviewInput {
  uid?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object?: Record<string, unknown> | null;
  oldObject?: Record<string, unknown> | null;
  namespace?: string;
  dryRun?: boolean;
  subResource?: string;
  /** `request.userInfo.username`. Default `admin`. */
  username?: string;
  /** `request.userInfo.groups`. Default `['system:authenticated']`. */
  groups?: string[];
}

const GROUPS: Record<string, [string, string, string]> = {
  Pod: ['', 'v1', 'pods'],
  ReplicationController: ['', 'v1', 'replicationcontrollers'],
  Deployment: ['apps', 'v1', 'deployments'],
  StatefulSet: ['apps', 'v1', 'statefulsets'],
  DaemonSet: ['apps', 'v1', 'daemonsets'],
  ReplicaSet: ['apps', 'v1', 'replicasets'],
  Job: ['batch', 'v1', 'jobs'],
  CronJob: ['batch', 'v1', 'cronjobs'],
};

/** An AdmissionReview as the API server serialises it (request.uid first). */
export function admissionReview(input: ReviewInput): Record<string, unknown> {
  const object = input.object ?? input.oldObject ?? {};
  const kind = typeof object.kind === 'string' ? object.kind : 'Pod';
  const [group, version, resource] = GROUPS[kind] ?? ['', 'v1', 'unknown'];
  const meta = (object.metadata ?? {}) as Record<string, unknown>;
  const operation = input.operation ?? 'CREATE';
  const request: Record<string, unknown> = {
    uid: input.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group, version, kind },
    resource: { group, version, resource },
    requestKind: { group, version, kind },
    requestResource: { group, version, resource },
    name: meta.name ?? '',
    namespace: input.namespace ?? meta.namespace ?? 'default',
    operation,
    userInfo: {
      username: input.username ?? 'admin',
      uid: '014fbff9a07c',
      groups: input.groups ?? ['system:authenticated'],
    },
    object: operation === 'DELETE' ? null : (input.object ?? null),
    oldObject: input.oldObject ?? null,
    dryRun: input.dryRun ?? false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: `${operation === 'CREATE' ? 'Create' : 'Update'}Options` },
  };
  if (input.subResource) request.subResource = input.subResource;
  return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request };
}

export interface ContainerSpec {
  name?: string;
  command?: string[];
  args?: string[];
  image?: string;
  env?: Array<Record<string, unknown>>;
}

/** A Deployment (or other workload) whose pod template runs the given containers. */
export function workload(
  kind: string,
  name: string,
  containers: ContainerSpec[],
  annotations: Record<string, string> = {},
  namespace = 'shop',
): Record<string, unknown> {
  const [group, version] = GROUPS[kind] ?? ['apps', 'v1'];
  const podSpec = {
    containers: containers.map((c, i) => ({
      name: c.name ?? `c${i}`,
      image: c.image ?? 'python:3.12',
      ...c,
    })),
  };
  const template = { metadata: { labels: { app: name } }, spec: podSpec };
  const metadata = { name, namespace, annotations, uid: 'f3c8a0d2-0000-4000-8000-000000000001' };
  const apiVersion = group ? `${group}/${version}` : version;
  switch (kind) {
    case 'Pod':
      return { apiVersion, kind, metadata, spec: podSpec };
    case 'CronJob':
      return {
        apiVersion,
        kind,
        metadata,
        spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } },
      };
    default:
      return {
        apiVersion,
        kind,
        metadata,
        spec: { replicas: 2, selector: { matchLabels: { app: name } }, template },
      };
  }
}

export const UVICORN_4: ContainerSpec = {
  name: 'api',
  command: ['uvicorn'],
  args: ['main:app', '--host', '0.0.0.0', '--workers', '4'],
};
export const UVICORN_1: ContainerSpec = {
  name: 'api',
  command: ['uvicorn'],
  args: ['main:app', '--host', '0.0.0.0'],
};
