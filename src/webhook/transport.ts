/**
 * The transport layer of the admission webhook: TLS, HTTP, routes, body limits, content type, health.
 * Every request to a review path is answered with an AdmissionReview (HTTP 200), also when it is too
 * large, of the wrong content type or empty: the API server then shows the reason to the user instead
 * of a generic "failed calling webhook". Timeouts bound how long a slow or idle client can hold a
 * connection; keep-alive outlives the API server's idle timeout (90 s) so it is the client that
 * closes idle connections, never a race with a request in flight.
 */
import { createServer, type Server } from 'node:https';
import { type TLSSocket, Server as TlsServer } from 'node:tls';
import type { KeyPair } from './certs';
import { type DecisionRecord, type Mode, type ReviewResult, transportFailure } from './review';

/** Two 3 MB objects (object and oldObject) plus overhead, as controller-runtime allows. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/** Review paths and the mode each one applies; `/validate` applies the configured default. */
export const REVIEW_PATHS: Readonly<Record<string, Mode | 'default'>> = {
  '/validate': 'default',
  '/validate/enforce': 'enforce',
  '/validate/warn': 'warn',
  '/validate/off': 'off',
};

export interface TransportOptions {
  readonly keyPair: KeyPair;
  /** Mode for `POST /validate`. */
  readonly defaultMode: Mode;
  /** The review: mode and raw body in, AdmissionReview out. Must not throw (it is guarded anyway). */
  readonly review: (mode: Mode, body: Buffer) => ReviewResult;
  /** Called after each review is written, with the time it took. */
  readonly onDecision?: (decision: DecisionRecord, seconds: number) => void;
  /** `GET /readyz` answers 200 while this is true. */
  readonly isReady: () => boolean;
  /** Default 7 MiB. */
  readonly maxBodyBytes?: number;
  /** Time allowed for a request's headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time allowed for a whole request. Default 30 s (the API server waits at most 30 s). */
  readonly requestTimeoutMs?: number;
  /** Idle keep-alive time. Default 120 s, longer than the API server's 90 s idle timeout. */
  readonly keepAliveTimeoutMs?: number;
}

interface Tracked {
  active: number;
  idleSince: number;
}

export interface DrainOptions {
  /** Connections idle this long are closed. Default 1000 ms. */
  readonly idleMs?: number;
  /** After this, every remaining connection is destroyed. Default 20 s. */
  readonly deadlineMs?: number;
}

export class Transport {
  readonly server: Server;
  private closing = false;
  private readonly sockets = new Map<TLSSocket, Tracked>();
  private readonly maxBody: number;

  constructor(private readonly options: TransportOptions) {
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.server = createServer(
      {
        cert: options.keyPair.cert,
        key: options.keyPair.key,
        minVersion: 'TLSv1.2',
        keepAlive: true,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        // Check the two timeouts above every second rather than every 30 s (Node's default).
        connectionsCheckingInterval: 1000,
      },
      (req, res) => this.handle(req, res),
    );
    this.server.maxHeadersCount = 100;
    this.server.on('secureConnection', (socket: TLSSocket) => {
      this.sockets.set(socket, { active: 0, idleSince: Date.now() });
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Handshake failures (scanners, clients that do not trust our CA) are the client's problem.
    this.server.on('tlsClientError', () => undefined);
  }

  /** New handshakes use this pair; connections already open keep theirs. */
  setKeyPair(pair: KeyPair): void {
    this.server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
  }

  /** From now on every answer carries `Connection: close`, so clients move to other replicas. */
  beginClosing(): void {
    this.closing = true;
  }

  /** Open TLS connections (for tests and logs). */
  get connections(): number {
    return this.sockets.size;
  }

  /**
   * Stops accepting connections and waits for requests in flight to be answered. Node's own
   * `close()` also drops idle keep-alive connections at once, racing clients that are about to send
   * on them; here a connection is only closed after it has been idle for `idleMs`, or after the
   * answer that carried `Connection: close`.
   */
  drain(options: DrainOptions = {}): Promise<void> {
    this.closing = true;
    const idleMs = options.idleMs ?? 1000;
    const deadline = Date.now() + (options.deadlineMs ?? 20_000);
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        for (const [socket, state] of this.sockets) {
          if (now >= deadline) socket.destroy();
          else if (state.active === 0 && now - state.idleSince >= idleMs) socket.end();
        }
      }, 100);
      TlsServer.prototype.close.call(this.server, () => {
        clearInterval(timer);
        resolve();
      });
    });
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const socket = req.socket as TLSSocket;
    const tracked = this.sockets.get(socket);
    if (tracked) {
      tracked.active++;
      res.once('close', () => {
        tracked.active--;
        tracked.idleSince = Date.now();
      });
    }
    if (this.closing) res.setHeader('connection', 'close');
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);

    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' || this.options.isReady();
      if (req.method !== 'GET' && req.method !== 'HEAD') plain(res, 405, 'method not allowed');
      else plain(res, ok ? 200 : 503, ok ? 'ok' : 'shutting down');
      return;
    }
    const route = REVIEW_PATHS[path];
    if (route === undefined) {
      plain(res, 404, 'not found');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      plain(res, 405, 'method not allowed: admission reviews are POSTed');
      return;
    }
    const mode = route === 'default' ? this.options.defaultMode : route;
    this.readAndReview(req, res, mode);
  }

  private readAndReview(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    mode: Mode,
  ): void {
    const started = process.hrtime.bigint();
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > this.maxBody;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        // Keep only the head (for the uid); the rest is read and dropped so the connection stays usable.
        if (chunks.length === 0) chunks.push(chunk.subarray(0, 65536));
        return;
      }
      if (size > this.maxBody) {
        tooLarge = true;
        const head = Buffer.concat(chunks).subarray(0, 65536);
        chunks.length = 0;
        chunks.push(head);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      let result: ReviewResult;
      const contentType = req.headers['content-type'] ?? '';
      if (tooLarge) {
        result = transportFailure(
          body.toString('utf8'),
          413,
          `request body is larger than ${this.maxBody} bytes`,
          mode,
        );
      } else if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        result = transportFailure(
          body.toString('utf8'),
          415,
          `content type ${JSON.stringify(contentType)} is not application/json`,
          mode,
        );
      } else {
        try {
          result = this.options.review(mode, body);
        } catch (err) {
          result = transportFailure(body.toString('utf8'), 500, `oneproc failed: ${String(err)}`, mode);
        }
      }
      const json = JSON.stringify(result.review);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
      res.end(json);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.onDecision?.(result.decision, seconds);
    });
  }
}

function plain(res: import('node:http').ServerResponse, code: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(code, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
