/**
 * pm2, pm2-runtime and pm2-docker (Unitech/pm2 7.0.3; npm pm2 7.0.4 run on this machine).
 *
 * How pm2 chooses the number of instances:
 * - `lib/binaries/CLI.js` and `lib/binaries/Runtime4Docker.js` define `-i --instances <number>`; no
 *   `-i` means 1 (`lib/Common.js determineExecMode`: `instances` undefined → 1).
 * - `lib/Common.js verifyConfs`: `'max'` becomes 0, any other string goes through
 *   `parseInt(…) || 0` (no radix: `0x4` is 4), so text that is not a number (`$(UNDEFINED)` left
 *   verbatim by the kubelet, `auto`, `４`) becomes 0 as well, and `3abc` becomes 3.
 * - `lib/God.js prepare`: 0 means one instance per CPU, a negative value means CPUs + value, and
 *   anything ≤ 0 after that becomes 1. The instances are separate processes in cluster mode (node)
 *   and in fork mode (other interpreters) alike.
 * - commander 2.15 (`normalize()`) splits a glued short option into single letters: `-i3` is read as
 *   `-i -3` (CPUs − 3), and `-i=4` as `-i -= -4`, which pm2 rejects ("unknown option `-4'").
 *   `--instances=4` is split at `=` and works. Checked by running pm2-runtime 7.0.4.
 * - `lib/API.js _startJson`: with an ecosystem file (`Common.isConfigFile`: a name containing
 *   `.json`, `.yml`, `.yaml`, `.config.js`, `.config.cjs`, `.config.mjs`) the count comes from the
 *   file; `-i` is applied only when it is a number, and the CLI passes a string, so `-i` is ignored
 *   (checked: `pm2-runtime start eco.config.js -i 3` starts the file's 1 instance).
 * Decisions: `max`, 0 and text that parses to 0 are one per CPU → `multiple` with no fixed count
 * (more than one on any real node); a negative count depends on the node's CPUs → `unknown`; a word
 * whose value is unknown here (valueFrom, envFrom) → `unknown` (pm2 might get a number); an ecosystem
 * file → `unknown`, the count is in the file. Where the file is at hand (`oneproc check` on a
 * repository or an image), `src/servers/pm2/config.ts` reads it instead, with `pm2FileStart` (./args.ts).
 */

import type { Count } from '../../argv/counts';
import { JS_PARSE_INT } from '../../argv/ints';
import { findOption, firstPositional } from '../../argv/options';
import type { Decision, ServerRule } from '../../rules/types';
import { cpuFormulaBounds } from '../../shell/arith';
import type { Word } from '../../shell/types';
import { PM2_TAKES_VALUE, pm2FileStart, pm2Invocation, pm2Start } from './args';
import { spec } from './spec';

/**
 * What pm2 makes of an `-i` value it receives as text: `parseInt(text) || 0` with `max` → 0, then
 * God.js: 0 → CPUs, negative → CPUs + n (at least 1).
 */
export function pm2Instances(text: string): Count {
  if (text === 'max') return { kind: 'per-cpu', min: 1, max: 256 };
  // `parseInt(text) || 0` (no radix: `0x4` is 4; `４` is no digit, so 0).
  const n = pm2Number(text);
  if (n === 0) return { kind: 'per-cpu', min: 1, max: 256 };
  if (n < 0) return { kind: 'per-cpu', min: 1, max: Math.max(1, 256 + n) };
  return { kind: 'number', n };
}

/** `parseInt(text) || 0`, as pm2's lib/Common.js `verifyConfs` reads an instance count. */
function pm2Number(text: string): number {
  const read = JS_PARSE_INT.read(text);
  return 'n' in read && !Number.isNaN(read.n) ? read.n : 0;
}

/**
 * The decision for an instance count pm2 receives as text (`-i 4`, `instances: 'max'`, a number from an
 * ecosystem file written as text): see pm2Instances; `$(nproc)` formulas are read as per-CPU counts.
 */
export function decideInstances(value: Word, written: string, path: string): Decision {
  const formula = cpuFormulaBounds(value.text);
  if (formula) {
    // `$(nproc)` (in a shell, or left verbatim by the kubelet and parsed as 0) is one per CPU.
    if (formula.min > 1 || (formula.min === 1 && formula.max === 256)) {
      return { outcome: 'multiple', workers: null, evidence: written, path, why: 'one instance per CPU' };
    }
    return {
      outcome: 'unknown',
      evidence: written,
      path,
      why: 'it depends on the number of CPUs of the node',
    };
  }
  if (value.unknown) return { outcome: 'unknown', evidence: written, path, why: value.unknown };
  const text = value.text.trim();
  const count = pm2Instances(text);
  if (count.kind === 'number') {
    return count.n > 1
      ? { outcome: 'multiple', workers: count.n, evidence: written, path }
      : { outcome: 'single', evidence: written, path };
  }
  if (count.kind === 'per-cpu' && count.max === 256) {
    const why =
      text === 'max' || /^[+-]?0+$/.test(text)
        ? 'one instance per CPU'
        : `pm2 reads "${text}" as 0, which means one instance per CPU`;
    return { outcome: 'multiple', workers: null, evidence: written, path, why };
  }
  return {
    outcome: 'unknown',
    evidence: written,
    path,
    why: `a negative count means the node's CPU count minus ${-pm2Number(text)}`,
  };
}

export const pm2: ServerRule = {
  id: spec.id,
  title: spec.title,
  category: spec.category,
  recognise: (cmd) => pm2Invocation(cmd) !== undefined,
  // `pm2 start SCRIPT -i N [-- ARGS]`: the instances are copies of SCRIPT (a string with blanks is a
  // command line, as pm2 runs it), so a finding takes SCRIPT's category.
  launched: (cmd) => {
    const start = pm2Start(cmd);
    if (!start || start.scale !== undefined || pm2FileStart(cmd)) return undefined;
    const target = firstPositional(start.argv, start.from, PM2_TAKES_VALUE);
    if (!target || target.word.unknown) return undefined;
    const words = target.word.text.split(/\s+/).filter((w) => w !== '');
    const dashes = start.argv.findIndex((w, i) => i > target.index && w.text === '--');
    const rest = dashes >= 0 ? start.argv.slice(dashes + 1) : [];
    return {
      ...cmd,
      argv: [...words.map((text) => ({ text, path: target.word.path })), ...rest],
    };
  },
  decide: (cmd) => {
    const start = pm2Start(cmd);
    if (!start) return { outcome: 'single' };
    const { argv, at, from, scale } = start;
    if (scale !== undefined) {
      const n = argv[scale + 2];
      if (!n) return { outcome: 'single' };
      return decideInstances(n, `pm2 scale ${argv[scale + 1]?.text ?? ''} ${n.text}`, n.path);
    }
    // A named file, or a bare `pm2 start`, which loads ./ecosystem.config.js (constants.js
    // APP_CONF_DEFAULT_FILE): the count is in the file either way.
    const fileStart = pm2FileStart(cmd);
    if (fileStart) {
      const bare = firstPositional(argv, from, PM2_TAKES_VALUE) === undefined;
      return {
        outcome: 'unknown',
        evidence: bare ? 'pm2 start' : fileStart.written,
        path: fileStart.file.path,
        why: `the instance count is set in ${bare ? './ecosystem.config.js, which a bare `pm2 start` loads' : fileStart.file.text}, and pm2 ignores \`-i\` for ecosystem files`,
      };
    }
    const hits = findOption(argv, ['-i', '--instances'], { from: at + 1, shortGlue: 'glued' });
    const hit = hits[hits.length - 1];
    if (!hit) return { outcome: 'single' };
    if (!hit.value) return { outcome: 'single', evidence: hit.written, path: hit.path };
    const glued = hit.name === '-i' && argv[hit.index].text !== '-i';
    if (glued) {
      const rest = argv[hit.index].text.slice(2);
      if (/^\d$/.test(rest)) {
        // commander 2 reads `-i3` as `-i -3`.
        return decideInstances({ ...hit.value, text: `-${rest}` }, hit.written, hit.path);
      }
      return {
        outcome: 'unknown',
        evidence: hit.written,
        path: hit.path,
        why: `pm2's option parser splits \`${hit.written}\` into single letters and does not read it as a count; write \`-i N\``,
      };
    }
    return decideInstances(hit.value, hit.written, hit.path);
  },
  fix: (decision) => {
    if (decision.outcome === 'single') return '';
    if (decision.outcome === 'unknown' && decision.why.includes('ecosystem files')) {
      return 'set `instances: 1` for the app in the ecosystem file (pm2 ignores `-i` for ecosystem files)';
    }
    if (decision.evidence.startsWith('pm2 scale')) return 'scale the app to 1 instance';
    if (decision.evidence.startsWith('instances:')) {
      return 'set `instances: 1` for the app in the ecosystem file (or remove `instances`)';
    }
    return `use \`-i 1\` (or drop \`${decision.evidence}\`)`;
  },
};
