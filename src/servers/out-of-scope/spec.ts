import type { ServerSpec } from '../types';

/** Programs whose workers keep no application state: oneproc recognises them so that no other rule judges them. */
export const spec: ServerSpec = {
  id: 'out-of-scope',
  title: 'Out of scope',
  category: 'web',
  programs: [
    'nginx',
    'nginx-debug',
    'openresty',
    'httpd',
    'httpd-foreground',
    'apache2',
    'apache2-foreground',
    'apachectl',
    'apache2ctl',
    'envoy',
    'haproxy',
    'caddy',
    'traefik',
    'memcached',
    'redis-server',
    'redis-sentinel',
    'valkey-server',
    'keydb-server',
    'varnishd',
    'squid',
  ],
  programPattern: '^php([0-9]+([.][0-9]+)?)?-fpm([0-9]+([.][0-9]+)?)?$',
  mentions: false,
};
