/**
 * The IO edge of `oneproc audit`: reads a kubeconfig (or the in-cluster config) with
 * @kubernetes/client-node, which also applies its authentication (client certificates, tokens, exec
 * plugins), and lists objects with plain paginated GETs so that each list's JSON — `continue`, `kind`,
 * every field — reaches the engine exactly as the API server sent it.
 */
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

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

/** Where to connect and how to authenticate. */
export interface ClusterTarget {
  readonly server: string;
  readonly context?: string;
  get(path: string, timeoutMs: number): Promise<unknown>;
}

export interface ConnectOptions {
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Loads @kubernetes/client-node (ESM-only) from this CommonJS package. */
async function loadClient(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

export async function connect(options: ConnectOptions = {}): Promise<ClusterTarget> {
  const k8s = await loadClient();
  const kc: KubeConfig = new k8s.KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new ApiError(`context '${options.context}' is not in the kubeconfig`, 0);
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ApiError('the kubeconfig names no cluster server', 0);
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
  };
}

function request(url: string, opts: https.RequestOptions, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && body !== undefined) return resolve(body);
        const statusObject = (body ?? {}) as { message?: string; reason?: string };
        reject(
          new ApiError(
            `GET ${url}: ${status} ${statusObject.reason ?? res.statusMessage ?? ''}${statusObject.message ? ` — ${statusObject.message}` : ''}`.trim(),
            status,
            statusObject.reason,
          ),
        );
      });
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new ApiError(`GET ${url}: no answer within ${timeoutMs / 1000} s`, 0, 'Timeout'));
    });
    req.on('error', (err) =>
      reject(err instanceof ApiError ? err : new ApiError(`GET ${url}: ${(err as Error).message}`, 0)),
    );
    req.end();
  });
}
