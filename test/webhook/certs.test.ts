import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkObject } from '../../src/manifest';
import { CertificateError, CertificateReloader, loadKeyPair } from '../../src/webhook/certs';
import { type LogEntry, WebhookServer } from '../../src/webhook/server';
import { ApiServerClient, admissionReview, makeCa, SecretDir, UVICORN_4, workload } from './helpers';

let ca: Awaited<ReturnType<typeof makeCa>>;
beforeAll(async () => {
  ca = await makeCa();
});

function thrown(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CertificateError) return err;
    throw err;
  }
  throw new Error('expected a CertificateError');
}

describe('loadKeyPair', () => {
  it('reads a valid pair and its expiry', async () => {
    const notAfter = new Date('2027-03-01T00:00:00Z');
    const secret = new SecretDir(await ca.issue({ notAfter }));
    const pair = loadKeyPair(secret.certFile, secret.keyFile);
    expect(pair.notAfter.toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(pair.subject).toBe('CN=oneproc.oneproc-system.svc');
  });

  it('names the missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneproc-certs-'));
    const err = thrown(() => loadKeyPair(join(dir, 'tls.crt'), join(dir, 'tls.key')));
    expect(err.name).toBe('CertificateError');
    expect(err.message).toBe(`cannot read the TLS certificate ${join(dir, 'tls.crt')}: no such file`);
    expect(err.file).toBe(join(dir, 'tls.crt'));
  });

  it('names a file that is not PEM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oneproc-certs-'));
    const pair = await ca.issue();
    writeFileSync(join(dir, 'tls.crt'), 'hello');
    writeFileSync(join(dir, 'tls.key'), pair.key);
    const err = thrown(() => loadKeyPair(join(dir, 'tls.crt'), join(dir, 'tls.key')));
    expect(err.message).toMatch(new RegExp(`^${join(dir, 'tls.crt')}: not a PEM certificate`));
    writeFileSync(join(dir, 'tls.crt'), pair.cert);
    writeFileSync(join(dir, 'tls.key'), 'hello');
    expect(thrown(() => loadKeyPair(join(dir, 'tls.crt'), join(dir, 'tls.key'))).message).toMatch(
      new RegExp(`^${join(dir, 'tls.key')}: not a PEM private key`),
    );
  });

  it('refuses a certificate that has expired or is not valid yet', async () => {
    const day = 86_400_000;
    const expired = new SecretDir(
      await ca.issue({
        notBefore: new Date(Date.now() - 3 * day),
        notAfter: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    expect(thrown(() => loadKeyPair(expired.certFile, expired.keyFile)).message).toBe(
      `${expired.certFile}: the certificate expired at 2026-01-01T00:00:00.000Z`,
    );
    const future = new SecretDir(
      await ca.issue({
        notBefore: new Date('2027-06-01T00:00:00Z'),
        notAfter: new Date('2028-06-01T00:00:00Z'),
      }),
    );
    const now = new Date('2027-05-31T23:59:00Z');
    expect(thrown(() => loadKeyPair(future.certFile, future.keyFile, now)).message).toBe(
      `${future.certFile}: the certificate is not valid before 2027-06-01T00:00:00.000Z (now 2027-05-31T23:59:00.000Z)`,
    );
    expect(loadKeyPair(future.certFile, future.keyFile, new Date('2027-06-01T00:00:00Z')).subject).toBe(
      'CN=oneproc.oneproc-system.svc',
    );
  });

  it('refuses a key that belongs to another certificate', async () => {
    const a = await ca.issue();
    const b = await ca.issue();
    const secret = new SecretDir({ cert: a.cert, key: b.key });
    expect(thrown(() => loadKeyPair(secret.certFile, secret.keyFile)).message).toBe(
      `${secret.keyFile}: the private key does not belong to the certificate in ${secret.certFile}`,
    );
  });
});

describe('CertificateReloader', () => {
  it('takes a swapped pair, keeps the old one when the new one is broken, and reports that once', async () => {
    const first = await ca.issue();
    const secret = new SecretDir(first);
    const reloaded: string[] = [];
    const errors: string[] = [];
    const reloader = new CertificateReloader({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      onReload: (p) => reloaded.push(p.fingerprint256),
      onError: (e) => errors.push(e.message),
    });
    const original = reloader.current.fingerprint256;
    expect(reloader.check()).toBe(false);
    const other = await ca.issue();
    secret.swap({ cert: other.cert, key: first.key });
    expect(reloader.check()).toBe(false);
    expect(reloader.check()).toBe(false);
    expect(reloader.current.fingerprint256).toBe(original);
    expect(errors).toEqual([
      `${secret.keyFile}: the private key does not belong to the certificate in ${secret.certFile}`,
    ]);
    secret.swap(other);
    expect(reloader.check()).toBe(true);
    expect(reloaded).toEqual([reloader.current.fingerprint256]);
    expect(reloader.current.fingerprint256).not.toBe(original);
  });
});

describe('CertificateReloader: certificate validity', () => {
  it('keeps the pair in service when the new certificate has expired, reports it once, and takes the next valid one', async () => {
    const first = await ca.issue();
    const secret = new SecretDir(first);
    const reloaded: string[] = [];
    const errors: string[] = [];
    const reloader = new CertificateReloader({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      onReload: (p) => reloaded.push(p.fingerprint256),
      onError: (e) => errors.push(e.message),
    });
    const original = reloader.current.fingerprint256;
    secret.swap(
      await ca.issue({
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    expect(reloader.check()).toBe(false);
    expect(reloader.check()).toBe(false);
    expect(reloader.current.fingerprint256).toBe(original);
    expect(errors).toEqual([`${secret.certFile}: the certificate expired at 2026-01-01T00:00:00.000Z`]);
    const next = await ca.issue();
    secret.swap(next);
    expect(reloader.check()).toBe(true);
    expect(reloaded).toEqual([reloader.current.fingerprint256]);
  });

  it('takes a certificate that was not valid yet once it is, and says so once before', async () => {
    const secret = new SecretDir(await ca.issue());
    let now = new Date();
    const errors: string[] = [];
    const reloader = new CertificateReloader({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      onReload: () => undefined,
      onError: (e) => errors.push(e.message),
      now: () => now,
    });
    const notBefore = new Date(Date.now() + 3_600_000);
    notBefore.setMilliseconds(0);
    secret.swap(await ca.issue({ notBefore }));
    expect(reloader.check()).toBe(false);
    expect(reloader.check()).toBe(false);
    expect(errors).toEqual([
      `${secret.certFile}: the certificate is not valid before ${notBefore.toISOString()} (now ${now.toISOString()})`,
    ]);
    now = new Date(notBefore.getTime() + 1000);
    expect(reloader.check()).toBe(true);
  });

  it('counts and logs the refusal in the server, and keeps serving the old certificate', async () => {
    const secret = new SecretDir(await ca.issue());
    const logs: LogEntry[] = [];
    const server = new WebhookServer({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      mode: 'enforce',
      check: checkObject,
      log: (e) => logs.push(e),
      certCheckIntervalMs: 50,
      shutdownDelayMs: 0,
    });
    const { port } = await server.start();
    const before = server.certificate.fingerprint256;
    secret.swap(
      await ca.issue({
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    // The reloader reads the files every 50 ms: give it a few dozen rounds.
    for (let i = 0; i < 100 && !logs.some((l) => l.msg.startsWith('certificate not reloaded')); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const client = new ApiServerClient(port, ca.pem, { keepAlive: false });
    const answer = await client.get('/healthz');
    client.close();
    const text = await server.metrics.registry.metrics();
    await server.shutdown('test done');
    expect(answer.fingerprint256).toBe(before);
    expect(server.certificate.fingerprint256).toBe(before);
    expect(logs.filter((l) => l.msg.startsWith('certificate not reloaded'))).toEqual([
      {
        level: 'error',
        msg: 'certificate not reloaded; the previous one stays in service',
        error: `${secret.certFile}: the certificate expired at 2026-01-01T00:00:00.000Z`,
      },
    ]);
    expect(text).toMatch(/^oneproc_webhook_certificate_reloads_total\{result="error"\} 1$/m);
  });
});

describe('certificate rotation under traffic', () => {
  it('serves the new certificate to new connections with no failed request', async () => {
    const secret = new SecretDir(await ca.issue());
    const logs: LogEntry[] = [];
    const server = new WebhookServer({
      certFile: secret.certFile,
      keyFile: secret.keyFile,
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      mode: 'enforce',
      check: checkObject,
      log: (e) => logs.push(e),
      certCheckIntervalMs: 200,
      shutdownDelayMs: 0,
    });
    const { port } = await server.start();
    const before = server.certificate.fingerprint256;
    const body = JSON.stringify(
      admissionReview({ uid: 'rotate', object: workload('Deployment', 'api', [UVICORN_4]) }),
    );
    // Keep-alive clients (as the API server) and clients that reconnect for every request.
    const clients = [
      new ApiServerClient(port, ca.pem, { maxSockets: 4 }),
      new ApiServerClient(port, ca.pem, { keepAlive: false }),
    ];
    const seen = new Set<string>();
    let ok = 0;
    const failures: string[] = [];
    let stop = false;
    const loop = async (client: ApiServerClient) => {
      while (!stop) {
        try {
          const answer = await client.send('/validate', body);
          const response = (answer.json as { response?: { uid?: string; allowed?: boolean } }).response;
          if (answer.status === 200 && response?.uid === 'rotate' && response.allowed === false) ok++;
          else failures.push(answer.text);
          seen.add(answer.fingerprint256);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [...clients, ...clients].map(loop);
    while (ok < 200) await new Promise((r) => setTimeout(r, 20));
    const next = await ca.issue();
    secret.swap(next);
    const after = loadKeyPair(secret.certFile, secret.keyFile).fingerprint256;
    while (!seen.has(after)) await new Promise((r) => setTimeout(r, 20));
    const atSwap = ok;
    while (ok < atSwap + 200) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(loops);
    for (const client of clients) client.close();
    await server.shutdown('test done');

    expect(failures).toEqual([]);
    expect(seen).toEqual(new Set([before, after]));
    expect(server.certificate.fingerprint256).toBe(after);
    expect(logs.filter((l) => l.msg === 'certificate reloaded')).toEqual([
      expect.objectContaining({
        level: 'info',
        fingerprint256: after,
        subject: 'CN=oneproc.oneproc-system.svc',
      }),
    ]);
  });
});
