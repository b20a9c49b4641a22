/**
 * `oneproc check` on a repository, run on demand (never in the test suite):
 *   npm run build && npx tsx bench/check/repo-walk.ts
 * A generated tree of 2,000 files — 50 services, each with a Dockerfile (half in a `docker/` subfolder
 * built from the repository root, multi-stage with a builder stage, `COPY --from`, `RUN mv` of globbed
 * scripts, a bare ENTRYPOINT found on PATH), an entrypoint script, a gunicorn config, a Deployment, and
 * application files to fill the tree — plus one compose file naming 25 of the builds. The built CLI
 * runs as a real process over the whole tree, median of 3 runs: wall time (goal ≤ 3 s) and the
 * process's own CPU time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from '../lib/documents';

const ROOT = path.resolve(__dirname, '../..');
const SERVICES = 50;
const FILES = 2000;

function write(root: string, name: string, text: string): void {
  const file = path.join(root, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Builds the tree; returns the number of files written. */
function generate(root: string): number {
  let files = 0;
  const put = (name: string, text: string) => {
    write(root, name, text);
    files++;
  };
  const compose: string[] = ['services:'];
  for (let i = 0; i < SERVICES; i++) {
    const svc = `services/svc${i}`;
    const nested = i % 2 === 0;
    const copyFrom = nested ? `${svc}/` : '';
    const dockerfile = [
      'FROM python:3.12 AS builder',
      'WORKDIR /build',
      `COPY ${copyFrom}docker/ ./docker/`,
      'RUN mkdir -p /out && cp docker/*.sh /out/',
      '',
      'FROM python:3.12-slim',
      'ENV PATH=/app/bin:$PATH',
      'WORKDIR /app',
      `COPY ${copyFrom}app/ /app/`,
      'COPY --from=builder /out/ /tmp/scripts/',
      'RUN mv /tmp/scripts/*.sh /usr/local/bin/ && chmod +x /usr/local/bin/*.sh',
      `ENV WEB_CONCURRENCY=${(i % 4) + 1}`,
      'ENTRYPOINT ["entrypoint.sh"]',
      'CMD ["web"]',
    ].join('\n');
    put(nested ? `${svc}/docker/Dockerfile` : `${svc}/Dockerfile`, `${dockerfile}\n`);
    put(
      `${svc}/docker/entrypoint.sh`,
      '#!/bin/sh\nset -e\ncase "$1" in\n  web) exec gunicorn -c /app/gunicorn.conf.py app.wsgi ;;\n  *) exec "$@" ;;\nesac\n',
    );
    put(`${svc}/app/gunicorn.conf.py`, `bind = "0.0.0.0:8000"\nworkers = ${(i % 3) + 1}\n`);
    put(
      `${svc}/k8s/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/svc${i}:1\n`,
    );
    if (i < 25) {
      compose.push(
        `  svc${i}:`,
        '    build:',
        // The nested Dockerfiles are built from the root, the others from their own folder.
        `      context: ${nested ? '.' : svc}`,
        `      dockerfile: ${nested ? `${svc}/docker/Dockerfile` : 'Dockerfile'}`,
      );
    }
  }
  put('docker-compose.yml', `${compose.join('\n')}\n`);
  // Application files fill the tree to FILES, spread over the services' app folders.
  for (let n = 0; files < FILES; n++) {
    const svc = `services/svc${n % SERVICES}`;
    put(`${svc}/app/module${n}.py`, `def handler_${n}(request):\n    return ${n}\n`);
  }
  return files;
}

function main(): void {
  const cli = path.join(ROOT, 'bin', 'oneproc.js');
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'check.js'))) {
    console.error('dist/ is not built: run `npm run build` first');
    process.exit(2);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'oneproc-repo-walk-'));
  try {
    const files = generate(dir);
    const walls: number[] = [];
    const cpus: number[] = [];
    let summary = '';
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const r = spawnSync(
        process.execPath,
        [
          '--require',
          path.join(ROOT, 'bench', 'engine', 'cpu-usage.cjs'),
          cli,
          'check',
          '--format',
          'json',
          '.',
        ],
        { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      walls.push((performance.now() - start) / 1000);
      const cpu = /cpu-usage-us (\d+)/.exec(r.stderr)?.[1];
      if (cpu) cpus.push(Number(cpu) / 1e6);
      const report = JSON.parse(r.stdout) as { findings: unknown[]; notes: unknown[]; checked: unknown };
      summary = `${report.findings.length} findings, ${report.notes.length} notes, checked ${JSON.stringify(report.checked)}`;
    }
    const wall = median(walls);
    console.log(`repository walk: ${files} files, ${SERVICES} Dockerfiles, 1 compose file (${summary})`);
    console.log(`  wall time ${wall.toFixed(2)} s  (goal ≤ 3 s, ratio ${(wall / 3).toFixed(2)}×)`);
    if (cpus.length > 0) console.log(`  CPU time  ${median(cpus).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
