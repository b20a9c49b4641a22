/**
 * The IO edge of `oneproc audit`: reads a kubeconfig (or the in-cluster config) with
 * @kubernetes/client-node, which also applies its authentication (client certificates, tokens, exec
 * plugins), and lists objects with plain paginated GETs so that each list's JSON — `continue`, `kind`,
 * every field — reaches the engine exactly as the API server sent it.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';

/** A failure to talk to the API server, with what was asked and what answered. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server did not answer (connection refused, timeout). */
    readonly status: number,
    /** `reason` of the Kubernetes Status object, e.g. `Forbidden`, `Expired`. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * The cluster configuration cannot be used: no kubeconfig anywhere, a file that is missing, empty or not
 * a kubeconfig, a context that is not in it, a server over plain HTTP. The message says which and what to do.
 */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** Where to connect and how to authenticate. */
export interface ClusterTarget {
  readonly server: string;
  readonly context?: string;
  get(path: string, timeoutMs: number): Promise<unknown>;
  /**
   * Server-side apply of `object` at `path` (PATCH with `application/apply-patch+yaml`, JSON being YAML),
   * as field manager `fieldManager`, taking over conflicting fields (`force=true`).
   */
  apply(path: string, object: unknown, fieldManager: string, timeoutMs: number): Promise<unknown>;
}

export interface ConnectOptions {
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The environment to look in (KUBECONFIG, HOME); default: the process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** The in-cluster service-account token; default: where the kubelet mounts it. */
  readonly serviceAccountToken?: string;
}

/** Where the kubelet mounts a pod's service-account token (client-node's loadFromCluster reads it). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** A kubeconfig is a few KiB; anything this large is not one. */
const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

/**
 * The kubeconfig files to load, looked up as kubectl does (--kubeconfig, then every file of $KUBECONFIG,
 * then ~/.kube/config), each checked to be a kubeconfig; `in-cluster` inside a pod with a service-account
 * token. client-node would otherwise fall back to http://localhost:8080 and fail on an unrelated HTTP
 * rule, or crash on an empty file.
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
function locate(options: ConnectOptions): string[] | 'in-cluster' {
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) {
    checkKubeconfig(options.kubeconfig, '--kubeconfig');
    return [options.kubeconfig];
  }
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(path.delimiter).filter((f) => f);
    for (const file of files) checkKubeconfig(file, 'KUBECONFIG');
    return files;
  }
  const home = env.HOME || os.homedir();
  const config = path.join(home, '.kube', 'config');
  if (fs.existsSync(config)) {
    checkKubeconfig(config, '~/.kube/config');
    return [config];
  }
  if (fs.existsSync(options.serviceAccountToken ?? SERVICE_ACCOUNT_TOKEN)) return 'in-cluster';
  throw new KubeconfigError(
    `no cluster to audit: --kubeconfig is not given, KUBECONFIG is not set, ${config} does not exist, ` +
      'and this is not a pod with a service-account token. Point --kubeconfig (or KUBECONFIG) at the ' +
      'kubeconfig kubectl uses, or run the audit in the cluster (docs/audit.md)',
  );
}

/** Throws a KubeconfigError unless `file` holds a kubeconfig with at least one cluster. */
function checkKubeconfig(file: string, from: string): void {
  const where = `the kubeconfig ${file} (from ${from})`;
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) throw new KubeconfigError(`${where} is a folder, not a file`);
    if (stat.size > MAX_KUBECONFIG_BYTES)
      throw new KubeconfigError(`${where} is too large to be a kubeconfig`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof KubeconfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read: permission denied'
          : `cannot be read: ${(err as Error).message}`;
    throw new KubeconfigError(`${where} ${reason}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = error.linePos?.[0].line;
    throw new KubeconfigError(
      `${where} is not valid YAML${line ? ` (line ${line})` : ''}: ${error.message.split('\n')[0]}`,
    );
  }
  const value: unknown = doc.toJS();
  const shape = 'a kubeconfig is the YAML kubectl writes, with clusters, users and contexts';
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    throw new KubeconfigError(`${where} is empty: ${shape}`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new KubeconfigError(`${where} is not a kubeconfig: ${shape}`);
  }
  const clusters = (value as { clusters?: unknown }).clusters;
  if (!Array.isArray(clusters) || clusters.length === 0) {
    throw new KubeconfigError(`${where} lists no clusters: ${shape}`);
  }
}

/** Loads @kubernetes/client-node (ESM-only) from this CommonJS package. */
async function loadClient(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

export async function connect(options: ConnectOptions = {}): Promise<ClusterTarget> {
  const found = locate(options);
  const k8s = await loadClient();
  const kc: KubeConfig = new k8s.KubeConfig();
  if (found === 'in-cluster') {
    kc.loadFromCluster();
  } else {
    kc.loadFromFile(found[0]!);
    for (const file of found.slice(1)) {
      const next = new k8s.KubeConfig();
      next.loadFromFile(file);
      kc.mergeConfig(next);
    }
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const known = contexts.length > 0 ? `its contexts: ${contexts.join(', ')}` : 'it has no contexts';
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new KubeconfigError(`context '${options.context}' is not in the kubeconfig (${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    const current = kc.getCurrentContext();
    throw new KubeconfigError(
      current
        ? `the kubeconfig's current context '${current}' names no cluster with a server: pass --context NAME (${known})`
        : `the kubeconfig has no current-context: pass --context NAME (${known})`,
    );
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new KubeconfigError(
      `the cluster '${cluster.name}' is served over plain HTTP (${cluster.server}): the audit connects over ` +
        'HTTPS only; for a local test server, set insecure-skip-tls-verify: true on that cluster in the kubeconfig',
    );
  }
  const base = new URL(cluster.server);
  return {
    server: cluster.server,
    context: kc.getCurrentContext(),
    async get(path: string, timeoutMs: number): Promise<unknown> {
      const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
      const opts: https.RequestOptions = {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { accept: 'application/json' },
      };
      await kc.applyToHTTPSOptions(opts);
      return request(url.toString(), opts, timeoutMs);
    },
    async apply(path: string, object: unknown, fieldManager: string, timeoutMs: number): Promise<unknown> {
      const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
      url.searchParams.set('fieldManager', fieldManager);
      url.searchParams.set('force', 'true');
      const body = JSON.stringify(object);
      const opts: https.RequestOptions = {
        method: 'PATCH',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: {
          accept: 'application/json',
          'content-type': 'application/apply-patch+yaml',
          'content-length': Buffer.byteLength(body),
        },
      };
      await kc.applyToHTTPSOptions(opts);
      return request(url.toString(), opts, timeoutMs, body);
    },
  };
}

function request(
  url: string,
  opts: https.RequestOptions,
  timeoutMs: number,
  body?: string,
): Promise<unknown> {
  const method = opts.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const req = https.request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && parsed !== undefined) return resolve(parsed);
        const statusObject = (parsed ?? {}) as { message?: string; reason?: string };
        reject(
          new ApiError(
            `${method} ${url}: ${status} ${statusObject.reason ?? res.statusMessage ?? ''}${statusObject.message ? ` — ${statusObject.message}` : ''}`.trim(),
            status,
            statusObject.reason,
          ),
        );
      });
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new ApiError(`${method} ${url}: no answer within ${timeoutMs / 1000} s`, 0, 'Timeout'));
    });
    req.on('error', (err) =>
      reject(err instanceof ApiError ? err : new ApiError(`${method} ${url}: ${(err as Error).message}`, 0)),
    );
    req.end(body);
  });
}
