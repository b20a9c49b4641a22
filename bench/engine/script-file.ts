/**
 * A script file as `oneproc check` reads it (no kernel limit: an image's entrypoint can be any size):
 * 1 MiB of entrypoint-like shell (assignments, exports, `if`/`case`, functions and their calls, here-
 * documents, arithmetic), read by `scriptCommands`, against half the size (≈ 2 means linear).
 * Median of 5 runs. `npx tsx bench/engine/script-file.ts`
 */
import { performance } from 'node:perf_hooks';
import { scriptCommands } from '../../src/shell';

// About 1 KiB and six commands a block, none of them a program: the whole file is read, within the
// interpreter's limits (1,001 programs recorded, 20,000 commands run).
const BLOCK = `# ${'configure the workers from the environment, as real entrypoints do; '.repeat(4)}
W=\${WORKERS:-4}
export WEB_CONCURRENCY=$((W * 2))
setup_@N@() { local x="$1"; shift; OPTS="--bind 0.0.0.0:8000 --timeout 30 --graceful-timeout 30 $x"; }
if : "\${GUNICORN_TIMEOUT:=30}"; then T=$((W + 1)); else T=1; fi
case "$ROLE" in web|api|frontend|backend) T=2 ;; worker|celery|beat|scheduler) T=1 ;; *) T=0 ;; esac
: <<'EOF_CONF'
${'workers = 4\nthreads = 2\nbind = "0.0.0.0:8000"\ntimeout = 30\naccesslog = "-"\n'.repeat(4)}EOF_CONF
`;

function script(bytes: number): string {
  let out = '#!/bin/sh\n';
  for (let n = 0; out.length < bytes; n++) out += BLOCK.replaceAll('@N@', String(n));
  return `${out}exec gunicorn -w "$W" app:app\n`;
}

function median(text: string): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    scriptCommands(text, { file: 'entrypoint.sh' });
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2];
}

const full = script(1024 * 1024);
const half = script(512 * 1024);
median(half); // warm up
const a = median(full);
const b = median(half);
console.log(
  `script file: 1 MiB of entrypoint-like shell: ${a.toFixed(1)} ms; half the size: ${b.toFixed(1)} ms (×${(a / b).toFixed(1)}) (goal ≤ 1000 ms)`,
);
