// `npm run demo`: the failure and the fix with the real servers from Debian (test/e2e/failure, fix,
// refused), then the numbers that prove the claim — lost reads and logouts under `--workers 4`, none
// with single-process instances and Redis — read from what the tests measured.
//   node scripts/demo.js            (after `npm run build`; npm test installs the Debian packages)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = path.join(__dirname, '..');
const SCENES = ['test/e2e/failure.test.ts', 'test/e2e/refused.test.ts', 'test/e2e/fix.test.ts'];

/** The figures file (one JSON line per figure) as the lines `npm run demo` prints, scene by scene. */
function formatFigures(text) {
  const rank = (test) => {
    const at = SCENES.findIndex((s) => path.basename(s) === test);
    return at < 0 ? SCENES.length : at;
  };
  const records = text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, order) => ({ ...JSON.parse(line), order }))
    // In the order of the story (failure, refused, fix), each scene's figures in the order measured.
    .sort((a, b) => rank(a.test) - rank(b.test) || a.order - b.order);
  const scenes = new Map();
  for (const { scene, text: figure } of records) {
    if (!scenes.has(scene)) scenes.set(scene, []);
    scenes.get(scene).push(figure);
  }
  if (scenes.size === 0) return 'No figures were measured: the scenes did not run (see the errors above).\n';
  const out = ['', 'What the demonstration measured:'];
  for (const [scene, figures] of scenes) {
    out.push(`  ${scene}`);
    for (const figure of figures) out.push(`    ${figure}`);
  }
  return `${out.join('\n')}\n`;
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneproc-demo-'));
  const file = path.join(dir, 'figures.jsonl');
  fs.writeFileSync(file, '');
  try {
    const jest = path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js');
    const run = spawnSync(process.execPath, [jest, '--ci', '--runInBand', '--verbose', ...SCENES], {
      cwd: REPO,
      stdio: 'inherit',
      env: { ...process.env, ONEPROC_DEMO_FIGURES: file },
    });
    process.stdout.write(formatFigures(fs.readFileSync(file, 'utf8')));
    return run.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { formatFigures };

if (require.main === module) process.exitCode = main();
