/**
 * The transport layer of the admission webhook: TLS, HTTP, routes, body limits, content type, health.
 * Every request to a review path is answered with an AdmissionReview (HTTP 200), also when it is too
 * large, of the wrong content type or empty: the API server then shows the reason to the user instead
 * of a generic "failed calling webhook". Timeouts bound how long a slow or idle client can hold a
 * connection; keep-alive outlives the API server's idle timeout (90 s) so it is the client that
 * closes idle connections, never a race with a request in flight.
 *
 * Memory is bounded whatever clients do: a TLS handshake must finish within 5 s, a connection must send
 * a request's headers within the headers timeout (Node answers 408 otherwise), at most `maxConnections` are open (more are dropped
 * at once), at most `maxIdleConnections` of them may sit idle (the longest idle is closed first), and
 * request bodies being read hold at most `maxBufferedBytes` together (a request over that budget is
 * answered 503 inside its review). Every refused or closed connection is counted by reason.
 */
import { createServer, type Server } from 'node:https';
import { type TLSSocket, Server as TlsServer } from 'node:tls';
import type { KeyPair } from './certs';
import type { ModeInEffect } from './governance';
import { type DecisionRecord, type Mode, type ReviewResult, transportFailure } from './review';

/** Two 3 MB objects (object and oldObject) plus overhead, as controller-runtime allows. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/**
 * Open connections, sized to the chart's 256 MiB memory limit. Measured (`bench/webhook/connections.ts`,
 * docs/BENCHMARKS.md): an open connection costs 11–16 KiB, and a flood of handshakes that fail leaves
 * about 35 KiB of garbage each until it is collected; 1,500 such handshakes, then 1,500 idle TLS
 * connections, then 1,200 more beyond the limit peaked at 155 MiB RSS. So 2,000 connections take at
 * most ≈ 70 MiB, beside ≈ 90 MiB for the process under load, 32 MiB of request bodies being read and
 * the one review being decided. The API server keeps a few connections per replica; 2,000 leave room for
 * many API servers and for a burst of handshakes, each of which ends within 5 s.
 */
export const MAX_CONNECTIONS = 2000;

/** Idle connections kept open at most: half of `MAX_CONNECTIONS`, so idle ones never lock out new ones. */
export const MAX_IDLE_CONNECTIONS = 1000;

/** Request bodies being read, all connections together: four requests of the largest size at once. */
export const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** Why a connection was refused or closed by the transport, as counted. */
export type ConnectionRejection =
  /** `maxConnections` connections were already open. */
  | 'max_connections'
  /** The TLS handshake did not finish within the handshake timeout. */
  | 'handshake_timeout'
  /** The TLS handshake failed (not TLS, an old protocol, a client that does not trust the certificate). */
  | 'handshake_failed'
  /** More than `maxIdleConnections` were idle: the longest idle was closed. */
  | 'idle_limit';

/** Review paths and the mode each one applies; `/validate` applies the configured default. */
export const REVIEW_PATHS: Readonly<Record<string, Mode | 'default'>> = {
  '/validate': 'default',
  '/validate/enforce': 'enforce',
  '/validate/warn': 'warn',
  '/validate/off': 'off',
};

export interface TransportOptions {
  readonly keyPair: KeyPair;
  /**
   * Mode for `POST /validate`: fixed, or read at each request (a dated escalation, `--enforce-after`,
   * changes it at 00:00 UTC of its day).
   */
  readonly defaultMode: Mode | (() => ModeInEffect);
  /**
   * The review: mode and raw body in, AdmissionReview out; `enforceFrom` is the day a warn-mode default
   * starts enforcing. Must not throw (it is guarded anyway).
   */
  readonly review: (mode: Mode, body: Buffer, enforceFrom?: string) => ReviewResult;
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
  /** Time allowed for a TLS handshake. Default 5 s (Node's default is 120 s). */
  readonly handshakeTimeoutMs?: number;
  /** Open connections at most; more are dropped at once. Default `MAX_CONNECTIONS`. */
  readonly maxConnections?: number;
  /** Idle connections at most; beyond it the longest idle is closed. Default `MAX_IDLE_CONNECTIONS`. */
  readonly maxIdleConnections?: number;
  /** Request bodies being read, all together, at most. Default `MAX_BUFFERED_BYTES`. */
  readonly maxBufferedBytes?: number;
  /** Called for each connection refused or closed by these limits. */
  readonly onConnectionRejected?: (reason: ConnectionRejection) => void;
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
  /** Connections with no request in flight, longest idle first (a Map keeps insertion order). */
  private readonly idle = new Map<TLSSocket, Tracked>();
  private readonly maxBody: number;
  private readonly maxIdle: number;
  private readonly maxBuffered: number;
  /** Bytes of request bodies held by requests being read. */
  private buffered = 0;

  constructor(private readonly options: TransportOptions) {
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.maxIdle = options.maxIdleConnections ?? MAX_IDLE_CONNECTIONS;
    this.maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.server = createServer(
      {
        cert: options.keyPair.cert,
        key: options.keyPair.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: options.handshakeTimeoutMs ?? 5000,
        keepAlive: true,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 120_000,
        // Also bounds a connection that sends nothing after its handshake: Node answers it 408.
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        // Check the two timeouts above every second rather than every 30 s (Node's default).
        connectionsCheckingInterval: 1000,
      },
      (req, res) => this.handle(req, res),
    );
    this.server.maxHeadersCount = 100;
    this.server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    const rejected = (reason: ConnectionRejection) => options.onConnectionRejected?.(reason);
    // Node closes a connection over maxConnections before anything is read from it.
    this.server.on('drop', () => rejected('max_connections'));
    this.server.on('secureConnection', (socket: TLSSocket) => {
      const tracked: Tracked = { active: 0, idleSince: Date.now() };
      this.sockets.set(socket, tracked);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.idle.delete(socket);
      });
      this.becomeIdle(socket, tracked);
    });
    // Handshake failures (scanners, clients that do not trust our CA) are the client's problem; they
    // are counted, never logged one by one.
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException) =>
      rejected(err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'handshake_timeout' : 'handshake_failed'),
    );
  }

  private becomeIdle(socket: TLSSocket, tracked: Tracked): void {
    tracked.idleSince = Date.now();
    this.idle.delete(socket);
    this.idle.set(socket, tracked);
    while (this.idle.size > this.maxIdle) {
      const [oldest] = this.idle.keys();
      this.idle.delete(oldest);
      oldest.destroy();
      this.options.onConnectionRejected?.('idle_limit');
    }
  }

  /** New handshakes use this pair; connections already open keep theirs. */
  setKeyPair(pair: KeyPair): void {
    this.server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
  }

  /** From now on every answer carries `Connection: close`, so clients move to other replicas. */
  beginClosing(): void {
    this.closing = true;
  }

  /** Open TLS connections (for tests, logs and metrics). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Open TLS connections with no request in flight. */
  get idleConnections(): number {
    return this.idle.size;
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
      this.idle.delete(socket);
      res.once('close', () => {
        tracked.active--;
        if (tracked.active === 0 && !socket.destroyed) this.becomeIdle(socket, tracked);
        else tracked.idleSince = Date.now();
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
    const fallback = this.options.defaultMode;
    const effective: ModeInEffect =
      route !== 'default'
        ? { mode: route }
        : typeof fallback === 'function'
          ? fallback()
          : { mode: fallback };
    this.readAndReview(req, res, effective);
  }

  private readAndReview(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    { mode, enforceFrom }: ModeInEffect,
  ): void {
    const started = process.hrtime.bigint();
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > this.maxBody;
    let busy = false;
    const chunks: Buffer[] = [];
    let size = 0;
    // Bytes this request holds in `chunks`, counted in `this.buffered` until released.
    let held = 0;
    const release = () => {
      this.buffered -= held;
      held = 0;
    };
    /** Keeps only the head (for the uid); the rest is read and dropped so the connection stays usable. */
    const keepHead = () => {
      const head = Buffer.from(Buffer.concat(chunks).subarray(0, 65536));
      chunks.length = 0;
      chunks.push(head);
      release();
      held = head.length;
      this.buffered += held;
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge || busy) {
        if (chunks.length === 0) {
          const head = Buffer.from(chunk.subarray(0, 65536));
          chunks.push(head);
          held = head.length;
          this.buffered += held;
        }
        return;
      }
      if (size > this.maxBody) {
        tooLarge = true;
        keepHead();
        return;
      }
      if (this.buffered + chunk.length > this.maxBuffered) {
        busy = true;
        keepHead();
        return;
      }
      chunks.push(chunk);
      held += chunk.length;
      this.buffered += chunk.length;
    });
    req.on('error', () => undefined);
    // An aborted request never ends: its bytes are released when it closes.
    req.once('close', release);
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      chunks.length = 0;
      let result: ReviewResult;
      const contentType = req.headers['content-type'] ?? '';
      if (tooLarge) {
        result = transportFailure(
          body.toString('utf8'),
          413,
          `request body is larger than ${this.maxBody} bytes`,
          mode,
          enforceFrom,
        );
      } else if (busy) {
        result = transportFailure(
          body.toString('utf8'),
          503,
          `oneproc is reading ${this.maxBuffered} bytes of other requests; this one was not read`,
          mode,
          enforceFrom,
        );
      } else if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        result = transportFailure(
          body.toString('utf8'),
          415,
          `content type ${JSON.stringify(contentType)} is not application/json`,
          mode,
          enforceFrom,
        );
      } else {
        try {
          result = this.options.review(mode, body, enforceFrom);
        } catch (err) {
          result = transportFailure(
            body.toString('utf8'),
            500,
            `oneproc failed: ${String(err)}`,
            mode,
            enforceFrom,
          );
        }
      }
      release();
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
