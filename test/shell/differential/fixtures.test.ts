/**
 * The real shells judge the interpreter on hand-written fixtures (fixtures.ts): each runs under Debian's
 * dash and bash with stub servers on PATH (real.ts), and what really ran — servers, their words, the
 * watched environment each received — must be what oneproc predicts through both doors (fixture-run.ts):
 * `sh -c` / `bash -c` in a container's command, and the script as the image's ENTRYPOINT file.
 * `sh -c` and a `#!/bin/sh` file follow dash, Debian's /bin/sh; `bash -c` and `#!/bin/bash` follow bash.
 */
import { type FixtureOutcome, fixtureChecks, runFixtures } from './fixture-run';
import { KNOWN_DIFFERENCES } from './known';
import { RealShells } from './real';

const checks = fixtureChecks();
const line = (r: { program: string; args: readonly string[] }) => [r.program, ...r.args].join(' ');

describe('the real dash and bash judge the shell interpreter: hand-written fixtures', () => {
  let shells: RealShells;
  let outcomes: FixtureOutcome[];

  beforeAll(async () => {
    shells = new RealShells();
    outcomes = await runFixtures(shells, checks);
  }, 600_000);

  afterAll(() => shells?.close());

  it('lists only known differences of checks that exist', () => {
    const keys = new Set(checks.map((c) => c.key));
    expect(Object.keys(KNOWN_DIFFERENCES).filter((k) => !keys.has(k))).toEqual([]);
  });

  it.each(checks.map((c, i) => [c.key, i] as const))('%s', (_key, i) => {
    const { check, real, difference, report } = outcomes[i]!;
    const f = check.fixture;
    // The fixture says what the real shell runs: the judge is checked before it judges.
    const expected = check.shell === 'dash' ? (f.dash ?? f.runs) : (f.bash ?? f.runs);
    if (expected !== undefined) expect(real.runs.map(line)).toEqual(expected);
    if (f.bounds) expect(real.runs.length).toBeGreaterThan(0);
    const known = KNOWN_DIFFERENCES[check.key];
    if (known !== undefined) {
      // A known difference stays listed only while it exists: once fixed, it must leave the list.
      expect({ known, report, stillDiffers: difference !== undefined }).toMatchObject({ stillDiffers: true });
    } else {
      expect({ report, difference }).toMatchObject({ difference: undefined });
    }
  });
});
