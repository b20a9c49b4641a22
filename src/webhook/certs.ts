/**
 * The serving key pair: read from files and reloaded when they change, so a rotated certificate is
 * served without a restart or a failed request. A Kubernetes Secret volume swaps a `..data` symlink
 * atomically; the directory is watched for that, and the files are also re-read on a short interval
 * because inotify does not see every kind of volume update. A broken new pair (half written, key and
 * certificate not matching, expired or not yet valid) keeps the old one in service and is reported once.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

/** A certificate or key file that cannot be used; `file` names the culprit. */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

export interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** End of validity of the (first) certificate in the file. */
  readonly notAfter: Date;
  /** Subject of the certificate, for logs. */
  readonly subject: string;
  /** SHA-256 of the certificate's DER, for logs and tests. */
  readonly fingerprint256: string;
}

/** Reads and checks a key pair. Throws CertificateError naming the file at fault. */
export function loadKeyPair(certFile: string, keyFile: string, now: Date = new Date()): KeyPair {
  const cert = readFile(certFile, 'certificate');
  const key = readFile(keyFile, 'private key');
  return parseKeyPair(cert, key, certFile, keyFile, now);
}

/**
 * Parses and checks a key pair: a certificate, the private key that belongs to it, usable by TLS, and
 * valid now. An expired or not yet valid certificate is refused: the API server would fail every call
 * with it (`x509: certificate has expired or is not yet valid`), so keeping the pair in service, or not
 * starting, tells the operator where a broken rotation would only show as failed admissions.
 */
export function parseKeyPair(
  cert: Buffer,
  key: Buffer,
  certFile: string,
  keyFile: string,
  now: Date = new Date(),
): KeyPair {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new CertificateError(`${certFile}: not a PEM certificate (${message(err)})`, certFile);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new CertificateError(`${keyFile}: not a PEM private key (${message(err)})`, keyFile);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CertificateError(
      `${keyFile}: the private key does not belong to the certificate in ${certFile}`,
      keyFile,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new CertificateError(`${certFile}: TLS cannot use this key pair (${message(err)})`, certFile);
  }
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (now.getTime() > notAfter.getTime()) {
    throw new CertificateError(`${certFile}: the certificate expired at ${notAfter.toISOString()}`, certFile);
  }
  if (now.getTime() < notBefore.getTime()) {
    throw new CertificateError(
      `${certFile}: the certificate is not valid before ${notBefore.toISOString()} (now ${now.toISOString()})`,
      certFile,
    );
  }
  return {
    cert,
    key,
    notAfter,
    subject: x509.subject.replace(/\n/g, ', '),
    fingerprint256: x509.fingerprint256,
  };
}

export interface ReloaderOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** How often the files are re-read even without a watch event. Default 2000 ms. */
  readonly intervalMs?: number;
  /** Called with each new valid pair (not with the initial one). */
  readonly onReload: (pair: KeyPair) => void;
  /** Called once per distinct broken content; the old pair stays in service. */
  readonly onError: (error: Error) => void;
  /** The clock a certificate's validity is checked against. Default: the current time. */
  readonly now?: () => Date;
}

/** Watches a key pair; `current` is always a valid pair. */
export class CertificateReloader {
  private pair: KeyPair;
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastFailure = '';

  constructor(
    private readonly options: ReloaderOptions,
    initial?: KeyPair,
  ) {
    this.pair = initial ?? loadKeyPair(options.certFile, options.keyFile, options.now?.() ?? new Date());
  }

  get current(): KeyPair {
    return this.pair;
  }

  start(): void {
    const dirs = new Set([dirname(this.options.certFile), dirname(this.options.keyFile)]);
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.schedule());
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // Not every filesystem supports watching; the interval below still sees changes.
      }
    }
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Re-reads the files now; returns true when a new pair was taken into service. */
  check(): boolean {
    const { certFile, keyFile } = this.options;
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(certFile);
      key = readFileSync(keyFile);
    } catch (err) {
      this.fail(
        `read:${message(err)}`,
        new CertificateError(`cannot read the key pair: ${message(err)}`, certFile),
      );
      return false;
    }
    if (cert.equals(this.pair.cert) && key.equals(this.pair.key)) return false;
    try {
      this.pair = parseKeyPair(cert, key, certFile, keyFile, this.options.now?.() ?? new Date());
    } catch (err) {
      // Reported once per content and reason; a pair that is not valid yet is taken once it is.
      const digest = createHash('sha256').update(cert).update(key).digest('hex');
      this.fail(digest, err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    this.lastFailure = '';
    this.options.onReload(this.pair);
    return true;
  }

  private schedule(): void {
    // A Secret update is several filesystem events; read once they have settled.
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), 50);
    this.debounce.unref();
  }

  private fail(key: string, error: Error): void {
    if (key === this.lastFailure) return;
    this.lastFailure = key;
    this.options.onError(error);
  }
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : message(err);
    throw new CertificateError(`cannot read the TLS ${what} ${file}: ${why}`, file);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
