/**
 * Puma (puma/puma 8.0.2 @ ff2e212; Debian 5.6.5 read and run on this machine), and `rails server`,
 * which serves with Puma when the Gemfile has it (the Rails default since 5.0).
 *
 * - `lib/puma/cli.rb`: `-w, --workers COUNT` ("Activate cluster mode"), `-C, --config PATH`
 *   (`-C -` loads no file); OptionParser also takes `-w4` and `--workers=4`. `-t/--threads` is threads.
 * - `lib/puma/configuration.rb`: workers default to WEB_CONCURRENCY (5.x on), else 0. How WEB_CONCURRENCY
 *   and `-w COUNT` are read depends on the version (`Integer()` or `to_i`, `auto`, blank values: see
 *   BANDS below). The WEB_CONCURRENCY default is computed before the command line applies, so a value
 *   Puma refuses stops it even with `-w`. Checked with Debian's puma 5.6.5 (test/realservers).
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

import { type Count, decideCount, envEvidence, readCount } from '../../argv/counts';
import { type IntReader, RUBY_INTEGER, RUBY_TO_I } from '../../argv/ints';
import type { Decision, ServerRule } from '../../rules/types';
import { cpuFormulaBounds } from '../../shell/arith';
import type { EnvEntry, Word } from '../../shell/types';
import { pumaArgs } from './args';
import { spec } from './spec';

/**
 * The ranges of Puma versions that read a count differently (puma/puma, lib/puma/configuration.rb
 * `puma_options_from_env` and lib/puma/dsl.rb `workers`):
 * - before 6.5: WEB_CONCURRENCY is `Integer(ENV['WEB_CONCURRENCY'] || 0)`, so an empty value or `auto`
 *   stops Puma; `workers COUNT` (the `-w` option and the config file's DSL) is `count.to_i`;
 * - 6.5 to 7.1 (6f26742, "Set the worker process count automatically with WEB_CONCURRENCY=auto", and
 *   b444c10, "Handle blank environment variables"): WEB_CONCURRENCY `auto` is the processor count, an
 *   empty value is ignored, anything else `Integer()`; `workers COUNT` is still `count.to_i`;
 * - 7.2 and later (5d7d1dd, "Add workers :auto"): both go through `parse_workers`: `auto` is the
 *   processor count, anything else `Integer()`, which raises "workers must be an Integer or :auto";
 *   WEB_CONCURRENCY is stripped first and a blank one ignored.
 * `to_i` never refuses (`-w 4abc` is 4, `-w many` 0: single mode); `Integer()` refuses what is not an
 * integer and reads `0x4` as 4 and `010` as 8 (RUBY_INTEGER). Debian's puma 5.6.5 was checked by
 * running it (test/realservers).
 */
const BANDS = [
  { from: '', to: '6.4' },
  { from: '6.5', to: '7.1' },
  { from: '7.2', to: '' },
] as const;

/** "Puma before 7.2", "Puma 6.5 to 7.1", "Puma 7.2 and later", or "Puma" for every version. */
function bandLabel(first: number, last: number): string {
  const start = BANDS[first].from;
  const next = BANDS[last + 1]?.from;
  if (!start) return next ? `Puma before ${next}` : 'Puma';
  return next ? `Puma ${start} to ${BANDS[last].to}` : `Puma ${start} and later`;
}

/** What one range of versions makes of a count. */
type Reading =
  | { readonly kind: 'n'; readonly n: number; readonly how: string }
  | { readonly kind: 'cpus' }
  /** A blank WEB_CONCURRENCY, ignored. */
  | { readonly kind: 'unset' }
  | { readonly kind: 'refused'; readonly why: string }
  /** Not known here, or a `$(nproc)` formula: read as for any server. */
  | { readonly kind: 'count'; readonly count: Count };

function readWith(reader: IntReader, how: string, text: string, refusal = ''): Reading {
  const r = reader.read(text);
  if ('n' in r) return { kind: 'n', n: r.n, how };
  return { kind: 'refused', why: ('refused' in r ? r.refused : r.unread) + refusal };
}

/** A value that no version reads itself: unknown here, or a formula over the CPU count. */
function opaque(word: Pick<Word, 'text' | 'unknown'>): Reading | undefined {
  if (word.unknown !== undefined || cpuFormulaBounds(word.text))
    return { kind: 'count', count: readCount(word, RUBY_INTEGER) };
  return undefined;
}

/** WEB_CONCURRENCY as the versions of `band` read it. */
function envReading(word: Pick<Word, 'text' | 'unknown'>, band: number): Reading {
  const other = opaque(word);
  if (other) return other;
  if (band === 0) return readWith(RUBY_INTEGER, 'Integer()', word.text);
  const text = band === 1 ? word.text : word.text.trim();
  if (text === '') return { kind: 'unset' };
  if (text === 'auto') return { kind: 'cpus' };
  return readWith(RUBY_INTEGER, 'Integer()', text);
}

/** A `workers COUNT` (`-w COUNT`, or the config file's `workers` line) as the versions of `band` read it. */
function workersReading(word: Pick<Word, 'text' | 'unknown'>, band: number): Reading {
  const other = opaque(word);
  if (other) return other;
  if (band < 2) return readWith(RUBY_TO_I, 'to_i', word.text);
  if (word.text === 'auto') return { kind: 'cpus' };
  return readWith(RUBY_INTEGER, 'Integer()', word.text, ' ("workers must be an Integer or :auto")');
}

interface Source {
  readonly reading: Reading;
  readonly evidence: string;
  readonly path: string;
}

function bandDecision({ reading, evidence, path }: Source): Decision {
  switch (reading.kind) {
    case 'n':
      return decideCount({ kind: 'number', n: reading.n }, evidence, path);
    case 'cpus':
      return { outcome: 'multiple', workers: null, evidence, path, why: 'one worker per CPU for `auto`' };
    case 'unset':
      return { outcome: 'single', evidence, path };
    case 'refused':
      return { outcome: 'refused', evidence, path, why: reading.why };
    case 'count':
      return decideCount(reading.count, evidence, path);
  }
}

/** What the versions of a band do with the deciding value, for a message. */
function describe({ reading, evidence }: Source): string {
  switch (reading.kind) {
    case 'n':
      if (!evidence) return 'runs in single mode';
      return `reads \`${evidence}\` with ${reading.how} as ${reading.n}${reading.n === 0 ? ', single mode' : ''}`;
    case 'cpus':
      return `starts one worker per CPU for \`${evidence}\``;
    case 'unset':
      return `ignores an empty \`${evidence}\``;
    case 'refused':
      return `refuses \`${evidence}\``;
    case 'count':
      return `cannot be read here for \`${evidence}\``;
  }
}

/**
 * One decision from what each range of versions does: the same everywhere, or the one that matters
 * (more than one worker somewhere: an error unless other versions run one process; a refusal where
 * the others run one process), saying which versions do what.
 */
function acrossVersions(sources: readonly Source[]): Decision {
  const decisions = sources.map(bandDecision);
  const key = (d: Decision) =>
    JSON.stringify([d.outcome, d.outcome === 'multiple' ? d.workers : null, d.evidence, d.path]);
  if (decisions.every((d) => key(d) === key(decisions[0]))) return decisions[decisions.length - 1];
  // Neighbouring ranges that do the same are named together.
  const groups: { first: number; last: number; text: string }[] = [];
  sources.forEach((s, i) => {
    const text = describe(s);
    const last = groups[groups.length - 1];
    if (last && last.text === text) last.last = i;
    else groups.push({ first: i, last: i, text });
  });
  const explain = (skip?: (i: number) => boolean) =>
    groups
      .filter((g) => !skip?.(g.first))
      .map((g) => `${bandLabel(g.first, g.last)} ${g.text}`)
      .join('; ');
  const at = (outcome: Decision['outcome']) => decisions.findIndex((d) => d.outcome === outcome);
  const unknown = at('unknown');
  if (unknown >= 0) return decisions[unknown];
  const multiple = decisions.filter((d) => d.outcome === 'multiple');
  const first = decisions[at('multiple')];
  if (first?.outcome === 'multiple') {
    if (at('single') >= 0) {
      return {
        outcome: 'unknown',
        evidence: first.evidence,
        path: first.path,
        why: `it depends on the Puma version: ${explain()}`,
      };
    }
    const counts = new Set(multiple.map((d) => (d.outcome === 'multiple' ? d.workers : null)));
    return {
      outcome: 'multiple',
      workers: counts.size === 1 ? first.workers : null,
      evidence: first.evidence,
      path: first.path,
      why: explain(),
    };
  }
  const refused = decisions[at('refused')];
  if (refused?.outcome === 'refused') {
    const which = groups.filter((g) => decisions[g.first].outcome === 'refused');
    return {
      ...refused,
      only: `${which.map((g) => bandLabel(g.first, g.last)).join(', ')}; ${explain((i) => decisions[i].outcome === 'refused')}`,
    };
  }
  return decisions[decisions.length - 1];
}

/** An env entry as a word: its value, or unknown with the reason. */
function envWord(entry: EnvEntry): Pick<Word, 'text' | 'unknown'> {
  if (entry.value === undefined)
    return { text: entry.name, unknown: entry.unknown ?? `${entry.name} is not known here` };
  return entry.unknown === undefined ? { text: entry.value } : { text: entry.value, unknown: entry.unknown };
}

export const puma: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => pumaArgs(cmd) !== undefined,
  decide: (cmd): Decision => {
    const found = pumaArgs(cmd);
    if (!found) return { outcome: 'single' };
    const { mode, workers, config } = found;
    const webConcurrency = cmd.env.get('WEB_CONCURRENCY');
    const env = (band: number): Source | undefined =>
      webConcurrency && {
        reading: envReading(envWord(webConcurrency), band),
        evidence: envEvidence(webConcurrency),
        path: webConcurrency.path,
      };

    if (mode === 'rails') {
      const using = found.using;
      if (using?.value && !using.value.unknown && using.value.text !== 'puma') {
        return { outcome: 'single', evidence: using.written, path: using.path };
      }
      if (!webConcurrency) return { outcome: 'single' };
      const decision = acrossVersions(BANDS.map((_, band) => env(band) as Source));
      if (decision.outcome !== 'multiple') return decision;
      return {
        outcome: 'unknown',
        evidence: decision.evidence,
        path: decision.path,
        why:
          `rails server serves with Puma when the Gemfile has it, and Puma reads WEB_CONCURRENCY as its worker count ` +
          `(${decision.workers ?? decision.why ?? 'one per CPU'})`,
      };
    }

    if (workers && !workers.value)
      return { outcome: 'single', evidence: workers.written, path: workers.path };
    const configFile = config?.value && config.value.text !== '-' ? config : undefined;

    // Per range of versions: the WEB_CONCURRENCY default is computed when Puma builds its
    // configuration, before the command line applies, so a value it refuses stops Puma whatever `-w`
    // says; then the command line, then (with no count there) the environment.
    const sources = BANDS.map((_, band): Source => {
      const fromEnv = env(band);
      if (fromEnv?.reading.kind === 'refused') return fromEnv;
      if (workers?.value) {
        return {
          reading: workersReading(workers.value, band),
          evidence: workers.written,
          path: workers.path,
        };
      }
      if (fromEnv) return fromEnv;
      return { reading: { kind: 'n', n: 0, how: '' }, evidence: '', path: '' };
    });
    const decision = acrossVersions(sources);
    // A refusal by every version stops Puma before it reads the file.
    const refusedByAll = decision.outcome === 'refused' && decision.only === undefined;
    if (!configFile?.value || workers?.value || refusedByAll) {
      return decision.outcome === 'single' && !decision.evidence ? { outcome: 'single' } : decision;
    }
    if (decision.outcome === 'multiple') {
      return {
        ...decision,
        why: `Puma reads WEB_CONCURRENCY as its worker count unless ${configFile.value.text} sets \`workers\``,
      };
    }
    if (decision.outcome !== 'single' && decision.outcome !== 'refused') return decision;
    return {
      outcome: 'unknown',
      evidence: configFile.written,
      path: configFile.path,
      why: `the worker count may be set in ${configFile.value.text} (\`workers N\`), which oneproc cannot read here`,
    };
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
