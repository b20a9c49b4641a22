/**
 * AdmissionReviews built to exhaust a reviewer's memory or time, generated on demand (no large files
 * in the repository). Each is a valid Pod that a user allowed to create Pods can send. Used by the
 * budget tests (test/shell/budget.test.ts) and by `bench/webhook/hostile.ts`, which measures them.
 */

/** One container as written in a Pod spec. */
export interface HostileContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
}

/** A Pod CREATE review holding `containers`. */
export function podReview(containers: HostileContainer[], name = 'hostile'): Record<string, unknown> {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers },
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '9b1c2d3e-0000-4000-8000-000000000013',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name,
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'someone', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

/** `count` plain env vars (`VAR_0=value-0`, …). */
export function plainEnv(count: number): { name: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` }));
}

/** A script of `commands` simple commands with an `A=B` prefix each (`Q=1 cmd0`, …). */
export function prefixedCommands(commands: number): string {
  return Array.from({ length: commands }, (_, i) => `Q=1 cmd${i}`).join('\n');
}

/** `A0` holds `seed`; each next variable is the one before written twice: `A1=$(A0)$(A0)`, …. */
export function doublingEnv(levels: number, seed = 'xxxxxxxx'): { name: string; value: string }[] {
  const env = [{ name: 'A0', value: seed }];
  for (let i = 1; i <= levels; i++) env.push({ name: `A${i}`, value: `$(A${i - 1})$(A${i - 1})` });
  return env;
}

/**
 * A shell script that doubles `A` (64 characters at first) `times` times, then starts uvicorn with 4
 * workers: dash runs it (24 doublings are 1 GiB), a JavaScript string cannot hold it.
 */
export function doublingScript(times: number): string {
  return `A=${'x'.repeat(64)}\n${'A=$A$A\n'.repeat(times)}exec uvicorn main:app --workers 4`;
}

/** The attack inputs, by name, as JSON bodies (the webhook's input). */
export const HOSTILE: Record<string, () => string> = {
  // Every `Q=1 cmd` once copied the whole env: 5,000 × 1,000 entries.
  '5,000 env + 1,000 `Q=1 cmd`': () =>
    JSON.stringify(
      podReview([
        {
          name: 'app',
          image: 'python:3.12',
          command: ['sh', '-c', prefixedCommands(1000)],
          env: plainEnv(5000),
        },
      ]),
    ),
  '60,000 env + 1,000 `Q=1 cmd`': () =>
    JSON.stringify(
      podReview([
        {
          name: 'app',
          image: 'python:3.12',
          command: ['sh', '-c', prefixedCommands(1000)],
          env: plainEnv(60_000),
        },
      ]),
    ),
  // 10 containers whose env doubles 25 times (256 MiB of text, just below what a JavaScript string
  // holds), used in a `sh -c` script.
  '18 KB of doubling env references, 10 containers': () =>
    JSON.stringify(
      podReview(
        Array.from({ length: 10 }, (_, i) => ({
          name: `c${i}`,
          image: 'python:3.12',
          command: ['sh', '-c', 'exec uvicorn main:app --workers $(A25)'],
          env: doublingEnv(25),
        })),
      ),
    ),
  // 4 Mi characters per `$(A19)` word, 160 words, handed to uvicorn by a script's "$@".
  '2 KB of doubling words': () =>
    JSON.stringify(
      podReview([
        {
          name: 'app',
          image: 'python:3.12',
          command: ['sh', '-c', 'exec uvicorn main:app "$@"', 'sh'],
          args: Array.from({ length: 160 }, () => '$(A19)'),
          env: doublingEnv(19),
        },
      ]),
    ),
  '2 MiB `sh -c` of plain words': () =>
    JSON.stringify(
      podReview([{ name: 'app', image: 'python:3.12', command: ['sh', '-c', 'a '.repeat(1 << 20)] }]),
    ),
  '128 KiB `sh -c` of plain words (one command)': () =>
    JSON.stringify(
      podReview([
        {
          name: 'app',
          image: 'python:3.12',
          command: ['sh', '-c', `uvicorn main:app ${'a '.repeat(65_000)}`],
        },
      ]),
    ),
  '`A=$A$A` ×24 in `sh -c`, then uvicorn --workers 4': () =>
    JSON.stringify(
      podReview([{ name: 'app', image: 'python:3.12', command: ['sh', '-c', doublingScript(24)] }]),
    ),
  // Beyond the API server's 3 MiB: the cost must grow linearly, not faster.
  '120,000 env + 1,000 `Q=1 cmd` (4 MiB)': () =>
    JSON.stringify(
      podReview([
        {
          name: 'app',
          image: 'python:3.12',
          command: ['sh', '-c', prefixedCommands(1000)],
          env: plainEnv(120_000),
        },
      ]),
    ),
};
