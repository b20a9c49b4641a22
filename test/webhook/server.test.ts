import { request as httpRequest } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { checkObject } from '../../src/manifest';
import { loadKeyPair } from '../../src/webhook/certs';
import { reviewBody } from '../../src/webhook/review';
import { type LogEntry, WebhookServer } from '../../src/webhook/server';
import { type ConnectionRejection, Transport, type TransportOptions } from '../../src/webhook/transport';
import {
  ApiServerClient,
  admissionReview,
  makeCa,
  SERVICE_NAME,
  SecretDir,
  UVICORN_1,
  UVICORN_4,
  workload,
} from './helpers';

const UID = 'b1e2c3d4-0000-4000-8000-00000000abcd';
const envelope = (response: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response,
});

let ca: Awaited<ReturnType<typeof makeCa>>;
let secret: SecretDir;
let server: WebhookServer;
let client: ApiServerClient;
let metricsPort: number;
const logs: LogEntry[] = [];

beforeAll(async () => {
  ca = await makeCa();
  secret = new SecretDir(await ca.issue());
  server = new WebhookServer({
    certFile: secret.certFile,
    keyFile: secret.keyFile,
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    mode: 'enforce',
    check: checkObject,
    log: (entry) => logs.push(entry),
    shutdownDelayMs: 0,
  });
  const ports = await server.start();
  metricsPort = ports.metricsPort;
  client = new ApiServerClient(ports.port, ca.pem);
});

afterAll(async () => {
  client.close();
  await server.shutdown('test done');
});

function metricsText(): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: metricsPort, path: '/metrics' }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

describe('webhook over HTTPS, as the API server calls it', () => {
  it('serves a certificate that verifies against the CA bundle for the Service name', async () => {
    const answer = await client.get('/healthz');
    expect(answer).toMatchObject({ status: 200, text: 'ok\n' });
    expect(answer.fingerprint256).toBe(server.certificate.fingerprint256);
  });

  it('reports ready on /readyz', async () => {
    expect(await client.get('/readyz')).toMatchObject({ status: 200, text: 'ok\n' });
  });

  it('denies a Pod CREATE on /validate (default mode enforce)', async () => {
    const pod = workload('Pod', 'api', [UVICORN_4]);
    const body = JSON.stringify(admissionReview({ uid: UID, object: pod }));
    const answer = await client.send('/validate', body);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json).toEqual(reviewBody(body, { mode: 'enforce', check: checkObject }).review);
    expect(answer.json).toMatchObject(
      envelope({ uid: UID, allowed: false, status: { code: 403, reason: 'Forbidden' } }),
    );
  });

  it('routes /validate/warn and /validate/enforce to their modes', async () => {
    const object = workload('Deployment', 'api', [UVICORN_4]);
    const body = JSON.stringify(admissionReview({ uid: UID, object }));
    const warned = await client.send('/validate/warn', body);
    expect(warned.json).toEqual(
      envelope({
        uid: UID,
        allowed: true,
        warnings: [
          'container "api": uvicorn starts 4 worker processes: `--workers 4`. Run one process per container and ' +
            'scale with replicas; exempt with annotation oneproc.dev/allow-multiple-workers.',
        ],
      }),
    );
    const enforced = await client.send('/validate/enforce', body);
    expect(enforced.json).toMatchObject(envelope({ uid: UID, allowed: false, status: { code: 403 } }));
    const off = await client.send('/validate/off', body);
    expect(off.json).toEqual(envelope({ uid: UID, allowed: true }));
  });

  it('allows a Deployment UPDATE that only bumps the image of an existing violation, and a CronJob with one worker', async () => {
    const oldObject = workload('Deployment', 'api', [UVICORN_4]);
    const object = workload('Deployment', 'api', [{ ...UVICORN_4, image: 'python:3.13' }]);
    const update = await client.send(
      '/validate',
      JSON.stringify(admissionReview({ uid: UID, operation: 'UPDATE', object, oldObject, dryRun: true })),
    );
    expect(update.json).toMatchObject(envelope({ uid: UID, allowed: true }));
    expect((update.json as { response: { warnings: string[] } }).response.warnings).toEqual([
      expect.stringMatching(/^container "api" \(already before this update\): uvicorn starts 4/),
    ]);
    const cron = await client.send(
      '/validate',
      JSON.stringify(admissionReview({ uid: UID, object: workload('CronJob', 'nightly', [UVICORN_1]) })),
    );
    expect(cron.json).toEqual(envelope({ uid: UID, allowed: true }));
  });

  it('allows an exempted Deployment', async () => {
    const object = workload('Deployment', 'api', [UVICORN_4], {
      'oneproc.dev/allow-multiple-workers': 'legacy app',
    });
    const answer = await client.send('/validate', JSON.stringify(admissionReview({ uid: UID, object })));
    expect(answer.json).toEqual(envelope({ uid: UID, allowed: true }));
  });

  const err = (uid: string, code: number, reason: string, message: string) =>
    envelope({ uid, allowed: false, status: { code, reason, message } });

  it('answers an empty body inside a review', async () => {
    const answer = await client.send('/validate', '');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(err('', 400, 'BadRequest', 'request body is empty'));
  });

  it('answers a wrong content type with 415 inside a review, uid echoed', async () => {
    const body = JSON.stringify(admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) }));
    const answer = await client.send('/validate', body, { contentType: 'text/plain' });
    expect(answer.json).toEqual(
      err(UID, 415, 'UnsupportedMediaType', 'content type "text/plain" is not application/json'),
    );
    const none = await client.send('/validate', body, { contentType: null });
    expect(none.json).toEqual(
      err(UID, 415, 'UnsupportedMediaType', 'content type "" is not application/json'),
    );
    const charset = await client.send('/validate', body, { contentType: 'application/json; charset=utf-8' });
    expect(charset.json).toEqual(envelope({ uid: UID, allowed: true }));
  });

  it('answers broken JSON with 400 inside a review, uid salvaged', async () => {
    const body = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"${UID}","kind":`;
    const answer = await client.send('/validate', body);
    expect(answer.json).toEqual(
      err(UID, 400, 'BadRequest', 'request body is not valid JSON: unexpected end of input at position 124'),
    );
    // Neither the answer nor the log line quotes the body.
    logs.length = 0;
    const leaky = await client.send(
      '/validate',
      `{"request":{"uid":"${UID}","object":{"token":s3cr3t-t0k3n}}}`,
    );
    expect(leaky.json).toEqual(
      err(UID, 400, 'BadRequest', 'request body is not valid JSON: unexpected character at position 75'),
    );
    expect(logs.filter((l) => l.msg === 'review')).toEqual([
      expect.objectContaining({
        verdict: 'errored',
        error: 'request body is not valid JSON: unexpected character at position 75',
      }),
    ]);
    expect(JSON.stringify(logs)).not.toContain('s3cr3t');
  });

  it('answers a wrong apiVersion with 400 inside a review', async () => {
    const body = JSON.stringify({ ...admissionReview({ uid: UID }), apiVersion: 'admission.k8s.io/v1beta1' });
    const answer = await client.send('/validate', body);
    expect(answer.json).toEqual(
      err(
        UID,
        400,
        'BadRequest',
        'expected apiVersion "admission.k8s.io/v1" and kind "AdmissionReview", got "admission.k8s.io/v1beta1" and "AdmissionReview"',
      ),
    );
  });

  it('answers an 8 MiB body with 413 inside a review and keeps the connection usable', async () => {
    const head = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"${UID}","object":{"x":"`;
    const body = Buffer.alloc(8 * 1024 * 1024, 'a');
    body.write(head, 0);
    const answer = await client.send('/validate', body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(
      err(UID, 413, 'RequestEntityTooLarge', 'request body is larger than 7340032 bytes'),
    );
    expect(answer.headers.connection).toBe('keep-alive');
    expect((await client.get('/healthz')).status).toBe(200);
  });

  it('answers other paths and methods with plain HTTP errors', async () => {
    expect(await client.get('/validate')).toMatchObject({
      status: 405,
      text: 'method not allowed: admission reviews are POSTed\n',
    });
    expect(await client.send('/mutate', '{}')).toMatchObject({ status: 404, text: 'not found\n' });
  });

  it('logs one JSON line per decision and counts it in /metrics', async () => {
    logs.length = 0;
    const uid = 'log-test-uid';
    const object = workload('Deployment', 'api', [UVICORN_4]);
    await client.send('/validate', JSON.stringify(admissionReview({ uid, object, dryRun: true })));
    const lines = logs.filter((l) => l.msg === 'review');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 'info',
      msg: 'review',
      uid,
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      operation: 'CREATE',
      dryRun: true,
      mode: 'enforce',
      verdict: 'denied',
      rule: 'uvicorn',
      durationMs: expect.any(Number),
    });
    const text = await metricsText();
    expect(text).toMatch(
      /^oneproc_webhook_requests_total\{kind="Deployment",operation="CREATE",verdict="denied",mode="enforce"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^oneproc_webhook_request_duration_seconds_count\{verdict="denied"\} [1-9]\d*$/m);
    const expiry = /^oneproc_webhook_certificate_expiry_timestamp_seconds (\d+)$/m.exec(text);
    expect(Number(expiry?.[1])).toBe(Math.floor(server.certificate.notAfter.getTime() / 1000));
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('refuses TLS 1.1', async () => {
    const error = await new Promise<Error | undefined>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: client.port,
        ca: ca.pem,
        servername: SERVICE_NAME,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
      });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.on('error', (e) => resolve(e));
    });
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('is not trusted under another name', async () => {
    const error = await new Promise<Error | undefined>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: client.port,
        ca: ca.pem,
        servername: 'evil.example.com',
      });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.on('error', (e) => resolve(e));
    });
    expect(error?.message).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });
});

describe('transport limits', () => {
  it('closes a connection whose headers never finish (slow client)', async () => {
    const pair = loadKeyPair(secret.certFile, secret.keyFile);
    const transport = new Transport({
      keyPair: pair,
      defaultMode: 'enforce',
      review: (mode, body) => reviewBody(body, { mode, check: checkObject }),
      isReady: () => true,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    await new Promise<void>((resolve) => transport.server.listen(0, '127.0.0.1', resolve));
    const port = (transport.server.address() as { port: number }).port;
    const closed = await new Promise<string>((resolve) => {
      const socket: TLSSocket = connect(
        { host: '127.0.0.1', port, ca: ca.pem, servername: SERVICE_NAME },
        () => {
          socket.write('POST /validate HTTP/1.1\r\nHost: x\r\n');
        },
      );
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    expect(closed).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    await new Promise<void>((resolve) => transport.server.close(() => resolve()));
  });

  /** A transport on a free port with the given limits; `rejected` lists what it refused, in order. */
  async function limited(overrides: Partial<TransportOptions>) {
    const rejected: ConnectionRejection[] = [];
    const transport = new Transport({
      keyPair: loadKeyPair(secret.certFile, secret.keyFile),
      defaultMode: 'enforce',
      review: (mode, body) => reviewBody(body, { mode, check: checkObject }),
      isReady: () => true,
      onConnectionRejected: (reason) => rejected.push(reason),
      ...overrides,
    });
    await new Promise<void>((resolve) => transport.server.listen(0, '127.0.0.1', resolve));
    const port = (transport.server.address() as { port: number }).port;
    const stop = async () => {
      transport.server.closeAllConnections();
      await new Promise<void>((resolve) => transport.server.close(() => resolve()));
    };
    return { transport, port, rejected, stop };
  }

  /** Resolves when the socket closes, with what it received. */
  function closed(socket: Socket): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
    });
  }

  function tlsConnection(port: number): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.pem, servername: SERVICE_NAME }, () =>
        resolve(socket),
      );
      socket.on('error', reject);
    });
  }

  /** One keep-alive request on an open TLS socket; resolves with the raw answer's status line. */
  function requestOn(socket: TLSSocket, body: string): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d;
        const head = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text);
        if (head !== -1 && length && text.length >= head + 4 + Number(length[1])) {
          socket.off('data', onData);
          resolve(text);
        }
      };
      socket.on('data', onData);
      socket.write(
        `POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  }

  const small = JSON.stringify(admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) }));

  it('closes a TCP connection that never starts TLS after the handshake timeout, and counts it', async () => {
    const { port, rejected, stop } = await limited({ handshakeTimeoutMs: 200 });
    const socket = connectTcp(port, '127.0.0.1');
    const text = await closed(socket);
    expect(text).toBe('');
    expect(rejected).toEqual(['handshake_timeout']);
    await stop();
  });

  it('counts refused connections and open ones in /metrics', async () => {
    const counted = new WebhookServer({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      mode: 'enforce',
      check: checkObject,
      log: () => undefined,
      shutdownDelayMs: 0,
      handshakeTimeoutMs: 200,
    });
    const { port } = await counted.start();
    await closed(connectTcp(port, '127.0.0.1'));
    const open = await tlsConnection(port);
    // The client may finish its handshake before the server has taken the connection.
    for (let i = 0; i < 50 && counted.transport.connections === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    const text = await counted.metrics.registry.metrics();
    open.destroy();
    await counted.shutdown('test done');
    expect(text).toMatch(/^oneproc_webhook_connections_rejected_total\{reason="handshake_timeout"\} 1$/m);
    expect(text).toMatch(/^oneproc_webhook_connections\{state="open"\} 1$/m);
    expect(text).toMatch(/^oneproc_webhook_connections\{state="idle"\} 1$/m);
  });

  it('drops connections over maxConnections at once, and counts them', async () => {
    const { port, rejected, stop } = await limited({ maxConnections: 2 });
    const open = [await tlsConnection(port), await tlsConnection(port)];
    const extra = connectTcp(port, '127.0.0.1');
    expect(await closed(extra)).toBe('');
    expect(rejected).toEqual(['max_connections']);
    for (const socket of open) expect(await requestOn(socket, small)).toMatch(/^HTTP\/1\.1 200 OK/);
    for (const socket of open) socket.destroy();
    await stop();
  });

  it('keeps at most maxIdleConnections idle, closing the longest idle first', async () => {
    const { transport, port, rejected, stop } = await limited({ maxIdleConnections: 2 });
    const sockets = [await tlsConnection(port), await tlsConnection(port)];
    for (const socket of sockets) expect(await requestOn(socket, small)).toMatch(/^HTTP\/1\.1 200 OK/);
    const first = closed(sockets[0]);
    const third = await tlsConnection(port);
    await first;
    expect(rejected).toEqual(['idle_limit']);
    expect(sockets[1].destroyed).toBe(false);
    expect(await requestOn(third, small)).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(transport.idleConnections).toBe(2);
    sockets[1].destroy();
    third.destroy();
    await stop();
  });

  it('answers 503 inside the review when request bodies being read exceed their budget, and frees it', async () => {
    const { port, stop } = await limited({ maxBufferedBytes: 64 * 1024 });
    const big = JSON.stringify({
      ...admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) }),
      padding: 'x'.repeat(80 * 1024),
    });
    const socket = await tlsConnection(port);
    const answer = await requestOn(socket, big);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(
      envelope({
        uid: UID,
        allowed: false,
        status: {
          code: 503,
          reason: 'ServiceUnavailable',
          message: 'oneproc is reading 65536 bytes of other requests; this one was not read',
        },
      }),
    );
    // A request that was cut off mid-body gives its bytes back.
    const aborted = await tlsConnection(port);
    aborted.write(
      `POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n`,
    );
    aborted.write('x'.repeat(50_000));
    await new Promise((r) => setTimeout(r, 50));
    aborted.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const medium = JSON.stringify({
      ...admissionReview({ uid: UID, object: workload('Pod', 'api', [UVICORN_1]) }),
      padding: 'x'.repeat(40 * 1024),
    });
    expect(JSON.parse((await requestOn(socket, medium)).split('\r\n\r\n')[1])).toEqual(
      envelope({ uid: UID, allowed: true }),
    );
    socket.destroy();
    await stop();
  });
});
