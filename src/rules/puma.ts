/**
 * Puma (puma/puma 8.0.2 @ ff2e212; Debian 5.6.5 read and run on this machine), and `rails server`,
 * which serves with Puma when the Gemfile has it (the Rails default since 5.0).
 *
 * - `lib/puma/cli.rb`: `-w, --workers COUNT` ("Activate cluster mode"), `-C, --config PATH`
 *   (`-C -` loads no file); OptionParser also takes `-w4` and `--workers=4`. `-t/--threads` is threads.
 * - `lib/puma/configuration.rb`: workers default to `Integer(ENV['WEB_CONCURRENCY'] || 0)` (5.x on);
 *   `WEB_CONCURRENCY=auto` means the processor count from 6.5.0 (earlier versions fail to boot).
 *   Precedence: command line > config file > defaults (WEB_CONCURRENCY). `config_files` loads
 *   `config/puma/<env>.rb` or `config/puma.rb` implicitly when `-C` is not given.
 * - `lib/puma/launcher.rb clustered?`: workers > 0 is cluster mode. `-w 1` is cluster mode with one
 *   worker process: one process serves requests, so it is fine here; 0 is single mode.
 * Decisions:
 * - a count on the command line decides; else WEB_CONCURRENCY > 1 → `multiple` (a config file that
 *   sets workers usually reads WEB_CONCURRENCY too); else a config named with `-C` → `unknown`, the
 *   count may be in the file; else one process. The implicit config/puma.rb is not flagged: every
 *   Rails app has one and it cannot be read from a manifest.
 * - `rails server` never takes a worker count on its command line; with WEB_CONCURRENCY > 1 it is a
 *   warning (`unknown`), since Puma is only the likely server; `-u`/`--using` another server is fine.
 */
import type { SimpleCommand, Word } from '../shell/types';
import {
  type Count,
  decideCount,
  firstPositional,
  lastOption,
  programName,
  readCount,
  readEnvCount,
  stripLaunchers,
} from './common';
import type { Decision, ServerRule } from './types';

const TAKES_VALUE = [
  '-b',
  '--bind',
  '-C',
  '--config',
  '-e',
  '--environment',
  '-p',
  '--port',
  '-t',
  '--threads',
  '-S',
  '--state',
  '-I',
  '--include',
  '-r',
  '--require',
  '-w',
  '--workers',
  '--control-url',
  '--control-token',
  '--pidfile',
  '--tag',
  '--dir',
  '-u',
  '--using',
  '-P',
  '--pid',
  '-c',
];

type Mode = 'puma' | 'rails';

function locate(cmd: SimpleCommand): { argv: readonly Word[]; from: number; mode: Mode } | undefined {
  const inner = stripLaunchers(cmd);
  const name = programName(inner);
  if (name === 'puma') return { argv: inner.argv, from: 1, mode: 'puma' };
  if (name === 'rails') {
    const sub = firstPositional(inner.argv, 1, TAKES_VALUE);
    if (sub && (sub.word.text === 'server' || sub.word.text === 's')) {
      return { argv: inner.argv, from: sub.index + 1, mode: 'rails' };
    }
  }
  return undefined;
}

/**
 * Puma's reading of a count. `auto` from WEB_CONCURRENCY is the processor count from 6.5 on (older
 * versions fail to boot on it), so it is one per CPU whenever Puma runs; `-w auto` on the command
 * line is the processor count on 6.5+ but `"auto".to_i`, i.e. 0 (single mode), on older versions
 * (Debian's 5.6.5), so it depends on the version.
 */
function pumaCount(count: Count, evidence: string, path: string, fromCli = false): Decision {
  if (count.kind === 'text' && count.text === 'auto') {
    if (fromCli) {
      return {
        outcome: 'unknown',
        evidence,
        path,
        why: 'Puma 6.5+ starts one worker per CPU for `auto`; older versions read it as 0 (single mode)',
      };
    }
    return {
      outcome: 'multiple',
      workers: null,
      evidence,
      path,
      why: 'Puma 6.5+ starts one worker per CPU for `auto`',
    };
  }
  return decideCount(
    count,
    evidence,
    path,
    `Puma does not read "${count.kind === 'text' ? count.text : ''}" as a worker count`,
  );
}

export const puma: ServerRule = {
  id: 'puma',
  title: 'Puma',
  category: 'web',
  recognise: (cmd) => locate(cmd) !== undefined,
  decide: (cmd): Decision => {
    const found = locate(cmd);
    if (!found) return { outcome: 'single' };
    const { argv, from, mode } = found;
    const webConcurrency = cmd.env.get('WEB_CONCURRENCY');

    if (mode === 'rails') {
      const using = lastOption(argv, ['-u', '--using'], { from });
      if (using?.value && !using.value.unknown && using.value.text !== 'puma') {
        return { outcome: 'single', evidence: using.written, path: using.path };
      }
      if (!webConcurrency) return { outcome: 'single' };
      const decision = pumaCount(
        readEnvCount(webConcurrency),
        `WEB_CONCURRENCY=${webConcurrency.value ?? '…'}`,
        webConcurrency.path,
      );
      if (decision.outcome !== 'multiple') return decision;
      return {
        outcome: 'unknown',
        evidence: decision.evidence,
        path: decision.path,
        why:
          `rails server serves with Puma when the Gemfile has it, and Puma reads WEB_CONCURRENCY as its worker count ` +
          `(${decision.workers ?? 'one per CPU'})`,
      };
    }

    const workers = lastOption(argv, ['-w', '--workers'], { from, takesValue: TAKES_VALUE });
    if (workers) {
      if (!workers.value) return { outcome: 'single', evidence: workers.written, path: workers.path };
      return pumaCount(readCount(workers.value), workers.written, workers.path, true);
    }
    const config = lastOption(argv, ['-C', '--config'], { from, takesValue: TAKES_VALUE });
    const configFile = config?.value && config.value.text !== '-' ? config : undefined;
    if (webConcurrency) {
      const decision = pumaCount(
        readEnvCount(webConcurrency),
        `WEB_CONCURRENCY=${webConcurrency.value ?? '…'}`,
        webConcurrency.path,
      );
      if (decision.outcome === 'multiple' && configFile) {
        return {
          ...decision,
          why: `Puma reads WEB_CONCURRENCY as its worker count unless ${configFile.value?.text} sets \`workers\``,
        };
      }
      if (decision.outcome !== 'single' || !configFile) return decision;
    }
    if (configFile?.value) {
      return {
        outcome: 'unknown',
        evidence: configFile.written,
        path: configFile.path,
        why: `the worker count may be set in ${configFile.value.text} (\`workers N\`), which oneproc cannot read here`,
      };
    }
    return { outcome: 'single' };
  },
  fix: (decision) => {
    if (decision.outcome === 'single') return '';
    if (decision.evidence.startsWith('WEB_CONCURRENCY'))
      return 'set WEB_CONCURRENCY=1 (or remove it) and keep `workers` out of the Puma config';
    if (/^(-C|--config)/.test(decision.evidence))
      return 'pass `-w 0` (single mode) or make sure the config file sets no `workers` above 1';
    return `drop \`${decision.evidence}\` (Puma's single mode) or use \`-w 1\``;
  },
};
