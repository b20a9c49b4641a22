/**
 * Sidekiq (sidekiq/sidekiq 7/8) and Sidekiq Enterprise's swarm (`sidekiqswarm`).
 *
 * - `sidekiq` is one process: `-c/--concurrency` is its thread count (`lib/sidekiq/cli.rb`), so any
 *   `-c` is fine here.
 * - `sidekiqswarm` (Enterprise, documented in the Sidekiq wiki "Ent Multi-Process") forks
 *   `SIDEKIQ_COUNT` Sidekiq processes, by default one per CPU core.
 * Decisions (category `queue`): `sidekiq …` → one process; `sidekiqswarm` → SIDEKIQ_COUNT when set
 * (1 → one process), else `multiple`, one per CPU.
 */

import { decideCount, readEnvCount } from '../../argv/counts';
import { PLAIN_DECIMAL } from '../../argv/ints';
import { programName, stripLaunchers } from '../../argv/program';
import type { Decision, ServerRule } from '../../rules/types';
import type { SimpleCommand } from '../../shell/types';
import { programArgv } from '../program';
import { spec } from './spec';

function program(cmd: SimpleCommand): string | undefined {
  const argv = programArgv(cmd, spec);
  return argv ? programName({ ...cmd, argv }) : undefined;
}

export const sidekiq: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => program(cmd) !== undefined,
  decide: (cmd): Decision => {
    if (program(cmd) !== 'sidekiqswarm') return { outcome: 'single' };
    const entry = cmd.env.get('SIDEKIQ_COUNT');
    // sidekiqswarm's source is not public: plain digits only, any other text unknown.
    if (entry)
      return decideCount(
        readEnvCount(entry, PLAIN_DECIMAL),
        `SIDEKIQ_COUNT=${entry.value ?? '…'}`,
        entry.path,
      );
    const inner = stripLaunchers(cmd);
    return {
      outcome: 'multiple',
      workers: null,
      evidence: 'sidekiqswarm',
      path: inner.argv[0].path,
      why: 'sidekiqswarm forks one Sidekiq process per CPU core unless SIDEKIQ_COUNT is set',
    };
  },
  fix: (decision) =>
    decision.outcome === 'single' ? '' : 'set SIDEKIQ_COUNT=1 (or run plain `sidekiq`, one process)',
};
