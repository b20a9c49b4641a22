/**
 * Servers oneproc never flags, registered first so no other rule judges them.
 *
 * oneproc exists for one failure: application state kept in a worker process's memory across
 * requests (sessions, caches, counters), which splits when a server forks several workers
 * (DESIGN.md, "Scope"). These programs do run several workers, but none of them keeps application
 * state that way, so a finding would be a false alarm:
 * - reverse proxies and load balancers (nginx and OpenResty, Apache httpd, Envoy, HAProxy, Caddy,
 *   Traefik): nginx shares caches and rate limits between workers through shared memory zones; the
 *   stock configs say `worker_processes auto` and that is right for them. Envoy's `--concurrency` is
 *   threads.
 * - share-nothing PHP (php-fpm, Apache with mod_php): every request starts from a clean slate;
 *   php-fpm's shipped pool starts 2 children and that is how PHP is meant to run.
 * - data stores (memcached, Redis, Valkey, KeyDB) and caches (Varnish, Squid): they are the shared
 *   state the other servers should use.
 * The official images' entrypoints (`httpd-foreground`, `apache2-foreground`, `nginx-debug`) count
 * as the servers themselves.
 */
import { programName, stripLaunchers } from '../../argv/program';
import type { ServerRule } from '../../rules/types';
import { spec } from './spec';

const OUT_OF_SCOPE = new Set(spec.programs);

/** `php-fpm`, `php-fpm8.2`, `php-fpm82`, `php8.2-fpm`. */
const PHP_FPM = new RegExp(spec.programPattern ?? '^$');

/** The out-of-scope program this command runs, or undefined. */
export function outOfScopeProgram(name: string): string | undefined {
  if (OUT_OF_SCOPE.has(name)) return name;
  if (PHP_FPM.test(name)) return name;
  return undefined;
}

export const outOfScope: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => outOfScopeProgram(programName(stripLaunchers(cmd))) !== undefined,
  decide: (cmd) => {
    const inner = stripLaunchers(cmd);
    return {
      outcome: 'single',
      evidence: `${programName(inner)} keeps no application state in its workers; oneproc does not judge it`,
      path: inner.argv[0]?.path,
    };
  },
  fix: () => '',
};
