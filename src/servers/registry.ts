/**
 * The servers oneproc knows, in the order they are tried: the first rule that recognises a command
 * decides it. Each entry is one folder, `src/servers/<id>/` (spec.ts, rule.ts, and config.ts when the
 * server has config files oneproc reads), with its fixtures in `test/fixtures/servers/<id>/`. The rule
 * list (`RULES`), the config readers (`EXPANDERS` in src/sources/expanders.ts), the policy's table
 * (`POLICY_SERVERS`) and the words that show a script starts a server (`serverMention`) are all built
 * from this list. docs/architecture.md lists the files a new server needs.
 */

import type { ServerRule } from '../rules/types';
import type { SourceExpander } from '../sources/types';
import { apps } from './apps/rule';
import { spec as appsSpec } from './apps/spec';
import { celery } from './celery/rule';
import { spec as celerySpec } from './celery/spec';
import { daphne } from './daphne/rule';
import { spec as daphneSpec } from './daphne/spec';
import { dramatiq } from './dramatiq/rule';
import { spec as dramatiqSpec } from './dramatiq/spec';
import { fastapi } from './fastapi/rule';
import { spec as fastapiSpec } from './fastapi/spec';
import { granian } from './granian/rule';
import { spec as granianSpec } from './granian/spec';
import { gunicornConfig } from './gunicorn/config';
import { gunicorn } from './gunicorn/rule';
import { spec as gunicornSpec } from './gunicorn/spec';
import { hypercornConfig } from './hypercorn/config';
import { hypercorn } from './hypercorn/rule';
import { spec as hypercornSpec } from './hypercorn/spec';
import { node } from './node/rule';
import { spec as nodeSpec } from './node/spec';
import { octane } from './octane/rule';
import { spec as octaneSpec } from './octane/spec';
import { odoo } from './odoo/rule';
import { spec as odooSpec } from './odoo/spec';
import { outOfScope } from './out-of-scope/rule';
import { spec as outOfScopeSpec } from './out-of-scope/spec';
import { passenger } from './passenger/rule';
import { spec as passengerSpec } from './passenger/spec';
import { pm2Reader } from './pm2/config';
import { pm2 } from './pm2/rule';
import { spec as pm2Spec } from './pm2/spec';
import { pumaConfig } from './puma/config';
import { puma } from './puma/rule';
import { spec as pumaSpec } from './puma/spec';
import { rq } from './rq/rule';
import { spec as rqSpec } from './rq/spec';
import { sanic } from './sanic/rule';
import { spec as sanicSpec } from './sanic/spec';
import { sidekiq } from './sidekiq/rule';
import { spec as sidekiqSpec } from './sidekiq/spec';
import { supervisordReader } from './supervisord/config';
import { supervisord } from './supervisord/rule';
import { spec as supervisordSpec } from './supervisord/spec';
import { thin } from './thin/rule';
import { spec as thinSpec } from './thin/spec';
import type { PolicyFacts, Server, ServerSpec } from './types';
import { unicornConfig } from './unicorn/config';
import { unicorn } from './unicorn/rule';
import { spec as unicornSpec } from './unicorn/spec';
import { unitReaders } from './unit/config';
import { unit } from './unit/rule';
import { spec as unitSpec } from './unit/spec';
import { uvicorn } from './uvicorn/rule';
import { spec as uvicornSpec } from './uvicorn/spec';
import { uwsgiConfig } from './uwsgi/config';
import { uwsgi } from './uwsgi/rule';
import { spec as uwsgiSpec } from './uwsgi/spec';
import { waitress } from './waitress/rule';
import { spec as waitressSpec } from './waitress/spec';

export const SERVERS: readonly Server[] = [
  { spec: outOfScopeSpec, rule: outOfScope },
  { spec: uvicornSpec, rule: uvicorn },
  { spec: gunicornSpec, rule: gunicorn, config: () => gunicornConfig },
  { spec: hypercornSpec, rule: hypercorn, config: () => hypercornConfig },
  { spec: granianSpec, rule: granian },
  { spec: fastapiSpec, rule: fastapi },
  { spec: uwsgiSpec, rule: uwsgi, config: () => uwsgiConfig },
  { spec: sanicSpec, rule: sanic },
  { spec: daphneSpec, rule: daphne },
  { spec: waitressSpec, rule: waitress },
  { spec: odooSpec, rule: odoo },
  { spec: pumaSpec, rule: puma, config: () => pumaConfig },
  { spec: unicornSpec, rule: unicorn, config: () => unicornConfig },
  { spec: thinSpec, rule: thin },
  { spec: passengerSpec, rule: passenger },
  { spec: pm2Spec, rule: pm2, config: pm2Reader },
  { spec: nodeSpec, rule: node },
  { spec: octaneSpec, rule: octane },
  { spec: celerySpec, rule: celery },
  { spec: dramatiqSpec, rule: dramatiq },
  { spec: rqSpec, rule: rq },
  { spec: sidekiqSpec, rule: sidekiq },
  { spec: supervisordSpec, rule: supervisord, config: (_all, mentions) => supervisordReader(mentions) },
  { spec: unitSpec, rule: unit, config: () => unitReaders },
  { spec: appsSpec, rule: apps },
];

/** The rules, in registry order. */
export const SERVER_RULES: readonly ServerRule[] = SERVERS.map((s) => s.rule);

/** The servers' config readers, in registry order; `all` is the whole list of readers (pm2's files start commands). */
export function configReaders(all: () => readonly SourceExpander[]): SourceExpander[] {
  return SERVERS.flatMap((s) => (s.config ? [s.config(all, SERVER_MENTION)] : []));
}

/** A server the ValidatingAdmissionPolicy recognises: its policy facts with the spec's names. */
export interface PolicyServer extends Omit<PolicyFacts, 'programs' | 'title'> {
  /** Rule id (e.g. `uvicorn`). */
  readonly id: string;
  readonly title: string;
  /** Basenames of argv[0] that start the server (`uvicorn`, `gunicorn`, `gunicorn3`). */
  readonly programs: readonly string[];
  /** Module names accepted after `python -m`. */
  readonly pythonModules?: readonly string[];
}

function policyServer(spec: ServerSpec, facts: PolicyFacts): PolicyServer {
  const { title, programs, ...rest } = facts;
  return {
    id: spec.id,
    title: title ?? spec.title,
    programs: programs ?? spec.programs,
    ...(spec.pythonModules ? { pythonModules: spec.pythonModules } : {}),
    ...rest,
  };
}

/** The servers the policy recognises, in registry order (see `PolicyFacts`). */
export const POLICY_SERVERS: readonly PolicyServer[] = SERVERS.flatMap((s) =>
  s.spec.policy ? [policyServer(s.spec, s.spec.policy)] : [],
);

/** The words that show a shell script starts a server: programs, Python modules and `mentions`. */
export function mentionWords(servers: readonly Server[] = SERVERS): string[] {
  const words = servers.flatMap(({ spec }) =>
    spec.mentions === false
      ? []
      : [...spec.programs, ...(spec.pythonModules ?? []), ...(spec.mentions ?? [])],
  );
  return [...new Set(words)];
}

/**
 * One of `mentionWords` as a word of a script line (`uvicorn`, `/usr/bin/gunicorn3`, `gunicorn.conf.py`;
 * not `my-uvicorn` nor `rqueue`); group 1 is the word. For the shell reader, which reports a line it
 * cannot read only when it mentions a server.
 */
export function serverMentionPattern(servers: readonly Server[] = SERVERS): RegExp {
  const words = mentionWords(servers)
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?:^|[^\\w.-])(${words.join('|')})(?![\\w-])`);
}

/** `serverMentionPattern()` of the registry. */
export const SERVER_MENTION: RegExp = serverMentionPattern();
