/**
 * The hand-written fixtures as checks: each fixture, per shell that runs it, through each door —
 * `sh -c`/`bash -c` in a container's command (not for fixtures that source a file, since a manifest's
 * `sh -c` has no image to read it from, nor for those with a shebang of their own) and the script as
 * the image's ENTRYPOINT file. `sh -c` and a `#!/bin/sh` file follow dash, Debian's /bin/sh.
 */
import { difference, showPredicted, showReal } from './compare';
import { FIXTURES, type Fixture } from './fixtures';
import { type Prediction, predictDashC, predictImage } from './predict';
import type { RealCase, RealResult, RealShells, Shell } from './real';

export interface FixtureCheck {
  /** `NAME | DOOR | SHELL`, the key of `KNOWN_DIFFERENCES`. */
  readonly key: string;
  readonly fixture: Fixture;
  readonly shell: Shell;
  readonly door: 'sh -c' | 'file';
  readonly real: RealCase;
}

export interface FixtureOutcome {
  readonly check: FixtureCheck;
  readonly real: RealResult;
  readonly predicted: Prediction;
  readonly difference: string | undefined;
  /** The check, both results and what the reader said, for a failure message or the list of differences. */
  readonly report: string;
}

function shellOfShebang(line: string): Shell {
  return /\bbash\b/.test(line) ? 'bash' : 'dash';
}

export function fixtureChecks(fixtures: readonly Fixture[] = FIXTURES): FixtureCheck[] {
  const checks: FixtureCheck[] = [];
  for (const f of fixtures) {
    const shells: readonly Shell[] = f.shebang ? [shellOfShebang(f.shebang)] : (f.shells ?? ['dash', 'bash']);
    for (const shell of shells) {
      const base = { args: f.args ?? [], env: f.env ?? [], ...(f.files ? { files: f.files } : {}) };
      if (!f.files && !f.shebang)
        checks.push({
          key: `${f.name} | sh -c | ${shell}`,
          fixture: f,
          shell,
          door: 'sh -c',
          real: { ...base, script: f.script, mode: shell === 'dash' ? 'dash-c' : 'bash-c' },
        });
      const shebang = f.shebang ?? (shell === 'dash' ? '#!/bin/sh' : '#!/bin/bash');
      checks.push({
        key: `${f.name} | file | ${shell}`,
        fixture: f,
        shell,
        door: 'file',
        real: { ...base, script: `${shebang}\n${f.script}`, mode: 'file' },
      });
    }
  }
  return checks;
}

async function predict(c: FixtureCheck): Promise<Prediction> {
  const f = c.fixture;
  return c.door === 'sh -c'
    ? predictDashC(c.shell, f.script, f.args ?? [], f.env ?? [])
    : predictImage(c.real.script, f.files ?? {}, f.args ?? [], f.env ?? []);
}

/** Runs every check under its real shell and compares it with its door's prediction. */
export async function runFixtures(
  shells: RealShells,
  checks: readonly FixtureCheck[],
): Promise<FixtureOutcome[]> {
  const results = await shells.runAll(
    checks.map((c) => c.real),
    10,
  );
  const out: FixtureOutcome[] = [];
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    const real = results[i]!;
    const f = check.fixture;
    const predicted = await predict(check);
    const found = difference(real, predicted, f.bounds);
    const report = [
      `- **${check.key}**: ${found ?? 'no difference'}`,
      '  ```sh',
      ...check.real.script
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
      '  ```',
      ...(f.files
        ? Object.entries(f.files).map(([n, t]) => `  ${n}: \`${t.trimEnd().replaceAll('\n', '; ')}\``)
        : []),
      `  args: \`${JSON.stringify(f.args ?? [])}\`, pod env: \`${JSON.stringify(Object.fromEntries(f.env ?? []))}\``,
      `  real ${check.shell}: ${showReal(real)}`,
      `  predicted: ${showPredicted(predicted)}`,
      ...(predicted.said.length > 0 ? [`  reader said: ${predicted.said.join(' | ').slice(0, 600)}`] : []),
    ].join('\n');
    out.push({ check, real, predicted, difference: found, report });
  }
  return out;
}
