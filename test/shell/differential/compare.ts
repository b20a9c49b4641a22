/**
 * Real runs against the prediction: the same servers in the same order, each with the same argument
 * words and the same watched environment. A predicted word or variable marked unknown where the real
 * shell produced a value is a difference (scripts compared this way only use constructs whose value
 * can be decided), except at the places a fixture declares CPU-derived, where the prediction must be
 * a lower bound that the real value meets.
 */
import { cpuFormulaBounds } from '../../../src/shell/arith';
import type { Prediction } from './predict';
import type { RealResult } from './real';

/** A word whose real value depends on the machine's CPUs: the prediction must be this lower bound. */
export interface CpuBound {
  readonly run: number;
  /** Index in the server's arguments (after the program name). */
  readonly arg?: number;
  /** Or a variable of its environment. */
  readonly env?: string;
  readonly min: number;
}

/**
 * The lower bound the prediction gives a value it cannot know, as the rules read it (`readCount` in
 * src/argv/counts.ts): a CPU formula left as text, or the interpreter's `atLeast`.
 */
function lowerBound(text: string | undefined, p: { unknown?: string; atLeast?: number }): number | undefined {
  if (p.unknown === undefined) return undefined;
  const formula = text === undefined ? null : cpuFormulaBounds(text);
  return formula?.min ?? p.atLeast;
}

function checkBound(
  where: string,
  real: string,
  text: string | undefined,
  p: { unknown?: string; atLeast?: number },
  min: number,
): string | undefined {
  const b = lowerBound(text, p);
  if (b === undefined)
    return `${where}: real ${show(real)} depends on the CPUs, predicted ${show(text ?? '')} has no lower bound`;
  if (b !== min) return `${where}: predicted lower bound ${b}, expected ${min}`;
  if (!(Number(real) >= b)) return `${where}: real ${show(real)} is below the predicted lower bound ${b}`;
  return undefined;
}

const show = (s: string) => JSON.stringify(s);

/** The first difference, in words, or undefined when the prediction is the real run. */
export function difference(
  real: RealResult,
  predicted: Prediction,
  bounds: readonly CpuBound[] = [],
): string | undefined {
  if (real.status === 'timeout')
    return 'the real shell timed out (the case is not valid input for the judge)';
  const n = Math.max(real.runs.length, predicted.runs.length);
  for (let r = 0; r < n; r++) {
    const got = real.runs[r];
    const want = predicted.runs[r];
    if (!got)
      return `run ${r + 1}: predicted ${want?.program} ${want?.args.map((w) => w.text).join(' ')}, but the real shell ran no more servers`;
    if (!want)
      return `run ${r + 1}: the real shell ran ${got.program} ${got.args.map(show).join(' ')}, not predicted`;
    if (got.program !== want.program) return `run ${r + 1}: real ${got.program}, predicted ${want.program}`;
    const words = Math.max(got.args.length, want.args.length);
    for (let i = 0; i < words; i++) {
      const g = got.args[i];
      const w = want.args[i];
      const bound = bounds.find((b) => b.run === r && b.arg === i);
      if (bound && g !== undefined && w !== undefined) {
        const d = checkBound(`run ${r + 1} ${got.program} argument ${i + 1}`, g, w.text, w, bound.min);
        if (d) return d;
        continue;
      }
      if (g === undefined || w === undefined)
        return `run ${r + 1} ${got.program}: real arguments ${got.args.map(show).join(' ')}, predicted ${want.args.map((x) => show(x.text) + (x.unknown ? '(unknown)' : '')).join(' ')}`;
      if (w.unknown !== undefined)
        return `run ${r + 1} ${got.program} argument ${i + 1}: real ${show(g)}, predicted unknown (${w.unknown})`;
      if (w.text !== g)
        return `run ${r + 1} ${got.program} argument ${i + 1}: real ${show(g)}, predicted ${show(w.text)}`;
    }
    const names = new Set([...Object.keys(got.env), ...Object.keys(want.env)]);
    for (const name of [...names].sort()) {
      const g = got.env[name];
      const w = want.env[name];
      const bound = bounds.find((b) => b.run === r && b.env === name);
      if (bound && g !== undefined && w !== undefined) {
        const d = checkBound(`run ${r + 1} ${got.program} env ${name}`, g, w.value, w, bound.min);
        if (d) return d;
        continue;
      }
      if (g === undefined && w !== undefined)
        return `run ${r + 1} ${got.program} env ${name}: not in the real environment, predicted ${w.unknown !== undefined ? `unknown (${w.unknown})` : show(w.value ?? '')}`;
      if (g !== undefined && w === undefined)
        return `run ${r + 1} ${got.program} env ${name}: real ${show(g)}, predicted not exported`;
      if (g !== undefined && w !== undefined) {
        if (w.unknown !== undefined)
          return `run ${r + 1} ${got.program} env ${name}: real ${show(g)}, predicted unknown (${w.unknown})`;
        if (w.value !== g)
          return `run ${r + 1} ${got.program} env ${name}: real ${show(g)}, predicted ${show(w.value ?? '')}`;
      }
    }
  }
  return undefined;
}

/** The real runs, readably. */
export function showReal(real: RealResult): string {
  const runs = real.runs.map((r) => `${r.program} ${r.args.map(show).join(' ')} ${JSON.stringify(r.env)}`);
  return `${runs.join('; ') || '(no server)'} [exit ${real.status}]`;
}

export function showPredicted(p: Prediction): string {
  const runs = p.runs.map(
    (r) =>
      `${r.program} ${r.args.map((w) => (w.unknown !== undefined ? `${show(w.text)}(unknown)` : show(w.text))).join(' ')} ${JSON.stringify(r.env)}`,
  );
  return runs.join('; ') || '(no server)';
}
