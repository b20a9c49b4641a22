/**
 * Unicorn (defunkt/unicorn mirror 6.1.0; Debian 6.0.0 installed here), `unicorn` and `unicorn_rails`.
 *
 * - `bin/unicorn` has no worker-count option: `-c/--config-file` names the config, `-w` is `--warn`,
 *   `-p` the port, `-D` daemonize, `-E` the environment, `-o`/`-l` the listener.
 * - `lib/unicorn/configurator.rb`: `worker_processes` defaults to 1 and is set only in the config
 *   file (often as `Integer(ENV['WEB_CONCURRENCY'] || 3)`); unicorn loads no config file implicitly.
 * Decisions: `-c FILE` → `unknown` (the count is in FILE; WEB_CONCURRENCY is mentioned when set,
 * since configs commonly read it); no `-c` → one worker, whatever the environment says, because
 * unicorn itself never reads WEB_CONCURRENCY. Where the file can be read (`oneproc check` on a
 * repository or image), src/servers/unicorn/config.ts reads its `worker_processes` line and decides
 * for this rule instead.
 */

import type { Decision, ServerRule } from '../../rules/types';
import { unicornArgs } from './args';
import { spec } from './spec';

/** Options of `bin/unicorn` and `bin/unicorn_rails` that take a value (so their values are skipped). */
export const unicorn: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => unicornArgs(cmd) !== undefined,
  decide: (cmd): Decision => {
    const config = unicornArgs(cmd)?.config;
    if (!config?.value) return { outcome: 'single' };
    const file = config.value.text;
    const web = cmd.env.get('WEB_CONCURRENCY');
    const hint = web
      ? ` (WEB_CONCURRENCY=${web.value ?? '…'} is set, and unicorn configs often read it)`
      : '';
    return {
      outcome: 'unknown',
      evidence: config.written,
      path: config.path,
      why: `the worker count is \`worker_processes\` in ${file}, which oneproc cannot read here${hint}`,
    };
  },
  fix: (decision) =>
    decision.outcome === 'single' ? '' : 'set `worker_processes 1` in the unicorn config file',
};
