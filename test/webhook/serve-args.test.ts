import { parseServeArgs, ServeUsageError } from '../../src/cli/serve';

describe('oneproc serve: flags and environment variables', () => {
  const env = {
    ONEPROC_TLS_CERT: '/env/tls.crt',
    ONEPROC_TLS_KEY: '/env/tls.key',
    ONEPROC_PORT: '9443',
    ONEPROC_METRICS_PORT: '9091',
    ONEPROC_MODE: 'warn',
  };

  it('reads every setting from the environment, with the documented defaults', () => {
    expect(parseServeArgs([], env)).toEqual({
      certFile: '/env/tls.crt',
      keyFile: '/env/tls.key',
      port: 9443,
      metricsPort: 9091,
      mode: 'warn',
      host: undefined,
      shutdownDelayMs: 3000,
      maxConnections: 2000,
    });
    expect(parseServeArgs(['--tls-cert', 'c', '--tls-key', 'k'], {})).toMatchObject({
      port: 8443,
      metricsPort: 9090,
      mode: 'enforce',
    });
  });

  it('lets flags win over the environment', () => {
    const argv = ['--tls-cert', 'c', '--tls-key', 'k', '--port', '1', '--metrics-port', '2', '--mode', 'off'];
    expect(
      parseServeArgs([...argv, '--shutdown-delay', '0.5', '--host', '::', '--max-connections', '500'], {
        ...env,
        ONEPROC_MAX_CONNECTIONS: '9000',
      }),
    ).toEqual({
      certFile: 'c',
      keyFile: 'k',
      port: 1,
      metricsPort: 2,
      mode: 'off',
      host: '::',
      shutdownDelayMs: 500,
      maxConnections: 500,
    });
    expect(parseServeArgs([], { ...env, ONEPROC_MAX_CONNECTIONS: '9000' })).toMatchObject({
      maxConnections: 9000,
    });
  });

  it.each([
    [
      ['--tls-cert', 'c', '--tls-key', 'k', '--shutdown-delay', 'soon'],
      "--shutdown-delay must be a number of seconds from 0 to 300, got 'soon'",
    ],
    [
      ['--tls-cert', 'c', '--tls-key', 'k', '--metrics-port', 'http'],
      "--metrics-port must be a port number from 0 to 65535, got 'http'",
    ],
    [['--tls-cert', 'c'], '--tls-key FILE (or ONEPROC_TLS_KEY) is required'],
    [
      ['--tls-cert', 'c', '--tls-key', 'k', '--max-connections', '0'],
      "--max-connections must be a whole number from 1 to 999999, got '0'",
    ],
    [
      ['--tls-cert', 'c', '--tls-key', 'k', 'extra'],
      "Unexpected argument 'extra'. This command does not take positional arguments",
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(new ServeUsageError(message));
  });
});
