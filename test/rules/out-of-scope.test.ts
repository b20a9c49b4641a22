import { outOfScope, outOfScopeProgram } from '../../src/servers/out-of-scope/rule';
import { command } from './hand';

describe('out-of-scope rule', () => {
  it.each([
    'nginx',
    '/usr/sbin/nginx',
    'httpd',
    'apache2',
    'apachectl',
    'php-fpm',
    'php-fpm8.2',
    'php-fpm82',
    'php8.3-fpm',
    'envoy',
    'haproxy',
    'caddy',
    'traefik',
    'memcached',
    'redis-server',
  ])('recognises %s and decides single', (program) => {
    const cmd = command([program, '-x']);
    expect(outOfScope.recognise(cmd)).toBe(true);
    expect(outOfScope.decide(cmd).outcome).toBe('single');
  });

  it.each(['php', 'php-cgi', 'node', 'gunicorn', 'nginx-ingress-controller', 'fpm'])(
    'leaves %s to other rules',
    (p) => {
      expect(outOfScopeProgram(p)).toBeUndefined();
    },
  );
});
