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

describe('oneproc serve: governance settings', () => {
  const base = ['--tls-cert', 'c', '--tls-key', 'k'];

  it('reads --enforce-after and the exemption authority from flags (repeatable) or the environment', () => {
    expect(
      parseServeArgs([
        ...base,
        '--enforce-after',
        '2027-01-31',
        '--exempt-users',
        'alice',
        '--exempt-users',
        'CN=ops,O=example',
        '--exempt-groups',
        'platform-admins',
      ]),
    ).toMatchObject({
      enforceAfter: '2027-01-31',
      exemptions: { allowedUsers: ['alice', 'CN=ops,O=example'], allowedGroups: ['platform-admins'] },
    });
    expect(
      parseServeArgs(base, {
        ONEPROC_ENFORCE_AFTER: '2027-01-31',
        ONEPROC_EXEMPT_USERS: ' alice, system:serviceaccount:argocd:argocd-application-controller ,',
        ONEPROC_EXEMPT_GROUPS: 'platform-admins',
      }),
    ).toMatchObject({
      enforceAfter: '2027-01-31',
      exemptions: {
        allowedUsers: ['alice', 'system:serviceaccount:argocd:argocd-application-controller'],
        allowedGroups: ['platform-admins'],
      },
    });
  });

  it('leaves both unset by default (anyone may exempt, the mode never changes by itself)', () => {
    const config = parseServeArgs(base, { ONEPROC_EXEMPT_USERS: '', ONEPROC_EXEMPT_GROUPS: ' , ' });
    expect(config).not.toHaveProperty('enforceAfter');
    expect(config).not.toHaveProperty('exemptions');
  });

  it.each([
    [
      [...base, '--enforce-after', '2027-02-30'],
      '--enforce-after must be a calendar date written YYYY-MM-DD (UTC), got "2027-02-30"',
    ],
    [
      [...base, '--enforce-after', '31.01.2027'],
      '--enforce-after must be a calendar date written YYYY-MM-DD (UTC), got "31.01.2027"',
    ],
    [
      [...base, '--mode', 'warn', '--enforce-after', '2027-01-31'],
      '--enforce-after escalates the default mode from warn to enforce on its day, but --mode is warn: leave --mode at enforce',
    ],
    [
      [...base, '--exempt-users', 'a\nb'],
      '--exempt-users names must be printable and at most 512 characters long',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(new ServeUsageError(message));
  });
});
