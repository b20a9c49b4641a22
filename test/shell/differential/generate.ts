/**
 * Generated scripts for the differential test: assignments (plain, exported, `export X`, `unset`,
 * `: "${X:=v}"`, `X=v cmd` prefixes), default expansions, functions with arguments and `local`,
 * `shift`, `set --`, `case`, `if` with `[ ]`, arithmetic, sourcing of a generated second file, and
 * server commands built from all of these, with or without `exec`.
 *
 * Every construct is one whose outcome is decided by the script, its arguments and the pod's env, so a
 * prediction may never be unknown. Every variable read is set before (by the pod's env or a first
 * assignment), since a variable that neither sets may come from the image: there the interpreter is
 * right to say unknown. No loops, no globbing characters, no recursion: every run ends.
 */
import fc from 'fast-check';
import { quote } from './real';

/** Variables holding words (any of `STRINGS`). */
const STRING_VARS = ['WORKERS', 'WEB_CONCURRENCY', 'GUNICORN_CMD_ARGS', 'APP', 'MODE', 'OPTS', 'V1', 'V2'];
/** Variables holding integers only, so arithmetic and `-gt` always have numbers. */
const NUMBER_VARS = ['N', 'M', 'UVICORN_WORKERS', 'CELERY_CONCURRENCY'];
const STRINGS = ['1', '2', '4', 'app:app', '--preload', '-w 3', 'x y', '', 'web', 'worker'];
const NUMBERS = ['0', '1', '2', '3', '4', '8'];
/** Stubbed servers the scripts start. */
const PROGRAMS = [
  'gunicorn',
  'uvicorn',
  'celery',
  'puma',
  'uwsgi',
  'hypercorn',
  'granian',
  'daphne',
  'sidekiq',
  'rq',
];
const PATTERNS = ['1', '2', 'web', 'worker', 'app:app', '*', 'web|worker', "'x y'", '""'];

export interface GeneratedScript {
  /** First assignments of the variables the pod does not set. */
  readonly inits: readonly string[];
  /** Function definitions. */
  readonly functions: readonly string[];
  /** The statements. */
  readonly body: readonly string[];
  /** The second file (`env.sh`), when the script sources it. */
  readonly second: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly (readonly [string, string])[];
}

export function scriptText(g: GeneratedScript): string {
  return [...g.inits, ...g.functions, ...g.body, ''].join('\n');
}

export function sources(g: GeneratedScript): boolean {
  return g.body.some((s) => s.includes('. ./env.sh')) || g.functions.some((s) => s.includes('. ./env.sh'));
}

const pick = <T>(list: readonly T[]) => fc.constantFrom(...list);

/** A literal word: quoted, or bare when that is the same word. */
const literal = pick(STRINGS).chain((v) =>
  /^[\w:.-]+$/.test(v) ? fc.constantFrom(v, quote(v), `"${v}"`) : fc.constant(quote(v)),
);
const bareLiteral = pick(STRINGS.filter((v) => /^[\w:.-]+$/.test(v)));

const numberExpr: fc.Arbitrary<string> = fc.oneof(
  pick(NUMBERS),
  pick(NUMBER_VARS),
  fc.tuple(pick(NUMBER_VARS), pick(['+', '-', '*']), pick(NUMBERS)).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.tuple(pick(NUMBER_VARS), pick(['+', '*']), pick(NUMBER_VARS)).map(([a, op, b]) => `$${a}${op}${b}`),
  fc.tuple(pick(NUMBERS), pick(NUMBER_VARS)).map(([a, b]) => `(${a} + ${b}) * 2`),
);
const arithmetic = numberExpr.map((e) => `$((${e}))`);

/** A word that expands to one or more words (or none), from variables, arguments and arithmetic. */
const word: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: literal },
  { weight: 3, arbitrary: pick(STRING_VARS).map((v) => `"$${v}"`) },
  { weight: 1, arbitrary: pick(STRING_VARS).map((v) => `$${v}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(pick(STRING_VARS), pick([':-', '-', ':+', '+', ':=', '=']), bareLiteral)
      .map(([v, op, d]) => `"\${${v}${op}${d}}"`),
  },
  { weight: 2, arbitrary: pick(['"$1"', '"$2"', '$1', '"$#"', '"$@"', '$@', '"$*"', '$*']) },
  { weight: 2, arbitrary: arithmetic },
  { weight: 1, arbitrary: pick(NUMBER_VARS).map((v) => `"$${v}"`) },
  { weight: 1, arbitrary: pick(NUMBER_VARS).map((v) => `--workers=$${v}`) },
);

/** A word that is exactly one word (quoted), for conditions and `case`. */
const oneWord: fc.Arbitrary<string> = fc.oneof(
  literal.filter((w) => w.startsWith("'") || w.startsWith('"')),
  pick(STRING_VARS).map((v) => `"$${v}"`),
  pick(['"$1"', '"$2"', '"$#"', '"$*"']),
  pick(STRING_VARS).chain((v) => bareLiteral.map((d) => `"\${${v}:-${d}}"`)),
);

const words = (max: number) => fc.array(word, { maxLength: max }).map((ws) => ws.join(' '));

const assignment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(pick(STRING_VARS), word).map(([v, w]) => `${v}=${w}`) },
  { weight: 2, arbitrary: fc.tuple(pick(STRING_VARS), word).map(([v, w]) => `export ${v}=${w}`) },
  { weight: 2, arbitrary: pick([...STRING_VARS, ...NUMBER_VARS]).map((v) => `export ${v}`) },
  { weight: 1, arbitrary: pick(STRING_VARS).map((v) => `unset ${v}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(pick(STRING_VARS), bareLiteral).map(([v, d]) => `: "\${${v}:=${d}}"`),
  },
  { weight: 2, arbitrary: fc.tuple(pick(NUMBER_VARS), arithmetic).map(([v, a]) => `${v}=${a}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(pick(NUMBER_VARS), pick(NUMBERS)).map(([v, n]) => `export ${v}=${n}`),
  },
);

const server: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.option(
      fc
        .tuple(pick([...STRING_VARS, ...NUMBER_VARS]), word)
        .map(([v, w]) => (NUMBER_VARS.includes(v) ? `${v}=${w.startsWith('$((') ? w : '5'} ` : `${v}=${w} `)),
      { nil: '' },
    ),
    pick(PROGRAMS),
    words(4),
  )
  // `X=v exec cmd`: the assignment reaches the program that replaces the shell.
  .map(
    ([exec, prefix, program, args]) => `${prefix}${exec ? 'exec ' : ''}${program}${args ? ` ${args}` : ''}`,
  );

const condition: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(oneWord, pick(['=', '!=']), oneWord).map(([a, op, b]) => `[ ${a} ${op} ${b} ]`),
  fc.tuple(pick(['-z', '-n']), oneWord).map(([op, a]) => `[ ${op} ${a} ]`),
  fc
    .tuple(pick(NUMBER_VARS), pick(['-gt', '-eq', '-le']), pick(NUMBERS))
    .map(([v, op, n]) => `[ "$${v}" ${op} ${n} ]`),
  fc.tuple(pick(['-gt', '-eq']), pick(NUMBERS)).map(([op, n]) => `[ "$#" ${op} ${n} ]`),
);

function statement(depth: number, inFunction: boolean): fc.Arbitrary<string> {
  const simple = [
    { weight: 6, arbitrary: assignment },
    { weight: 4, arbitrary: server },
    { weight: 1, arbitrary: pick(['shift', 'shift 2', '[ "$#" -gt 0 ] && shift']) },
    { weight: 2, arbitrary: words(3).map((w) => `set -- ${w}`.trimEnd()) },
    { weight: 1, arbitrary: fc.constant('. ./env.sh') },
    ...(inFunction
      ? [
          {
            weight: 2,
            arbitrary: fc.tuple(pick(STRING_VARS), word).map(([v, w]) => `local ${v}=${w}`),
          },
        ]
      : [
          {
            weight: 3,
            arbitrary: fc.tuple(pick(['f1', 'f2']), words(3)).map(([f, a]) => `${f} ${a}`.trimEnd()),
          },
        ]),
  ];
  if (depth <= 0) return fc.oneof(...simple);
  const block = fc
    .array(statement(depth - 1, inFunction), { minLength: 1, maxLength: 3 })
    .map((s) => s.join('; '));
  return fc.oneof(
    ...simple,
    {
      weight: 2,
      arbitrary: fc
        .tuple(condition, block, fc.option(block, { nil: undefined }))
        .map(([c, t, e]) => `if ${c}; then ${t}; ${e !== undefined ? `else ${e}; ` : ''}fi`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(oneWord, fc.array(fc.tuple(pick(PATTERNS), block), { minLength: 1, maxLength: 3 }))
        .map(([w, arms]) => `case ${w} in ${arms.map(([p, b]) => `${p}) ${b} ;;`).join(' ')} esac`),
    },
  );
}

/** One generated script with its arguments and the pod's env. */
export const generatedScript: fc.Arbitrary<GeneratedScript> = fc
  .record({
    env: fc.uniqueArray(
      fc.oneof(fc.tuple(pick(STRING_VARS), pick(STRINGS)), fc.tuple(pick(NUMBER_VARS), pick(NUMBERS))),
      { maxLength: 4, selector: ([k]) => k },
    ),
    initValues: fc.tuple(
      fc.array(fc.tuple(pick(STRINGS), fc.boolean()), {
        minLength: STRING_VARS.length,
        maxLength: STRING_VARS.length,
      }),
      fc.array(fc.tuple(pick(NUMBERS), fc.boolean()), {
        minLength: NUMBER_VARS.length,
        maxLength: NUMBER_VARS.length,
      }),
    ),
    functions: fc.tuple(
      fc.array(statement(1, true), { minLength: 1, maxLength: 3 }),
      fc.array(statement(1, true), { minLength: 1, maxLength: 3 }),
    ),
    body: fc.array(statement(2, false), { maxLength: 6 }),
    // Entrypoints end by starting the server.
    last: server,
    second: fc.array(assignment, { minLength: 1, maxLength: 3 }),
    args: fc.array(fc.oneof(pick(STRINGS), pick(PROGRAMS)), { maxLength: 4 }),
  })
  .map(({ env, initValues, functions, body, last, second, args }) => {
    const given = new Set(env.map(([k]) => k));
    const inits: string[] = [];
    STRING_VARS.forEach((v, i) => {
      const [value, exported] = initValues[0][i]!;
      if (!given.has(v)) inits.push(`${exported ? 'export ' : ''}${v}=${quote(value)}`);
    });
    NUMBER_VARS.forEach((v, i) => {
      const [value, exported] = initValues[1][i]!;
      if (!given.has(v)) inits.push(`${exported ? 'export ' : ''}${v}=${value}`);
    });
    const [f1, f2] = functions;
    return {
      inits,
      functions: [`f1() { ${f1.join('; ')}; }`, `f2() { ${f2.join('; ')}; }`],
      body: [...body, last],
      // The sourced file may not source itself (no loops).
      second: second,
      args,
      env,
    };
  });

/** `count` scripts from `seed`, the same ones on every machine. */
export function generate(count: number, seed: number): GeneratedScript[] {
  return fc.sample(generatedScript, { numRuns: count, seed });
}

/** Smaller versions of a script, for finding a minimal one that still differs. */
export function* smaller(g: GeneratedScript): Generator<GeneratedScript> {
  for (let i = 0; i < g.body.length; i++) yield { ...g, body: g.body.filter((_, k) => k !== i) };
  for (let i = 0; i < g.second.length; i++) yield { ...g, second: g.second.filter((_, k) => k !== i) };
  for (let i = 0; i < g.functions.length; i++)
    if (g.functions[i] !== `f${i + 1}() { :; }`)
      yield { ...g, functions: g.functions.map((f, k) => (k === i ? `f${i + 1}() { :; }` : f)) };
  for (let i = 0; i < g.args.length; i++) yield { ...g, args: g.args.filter((_, k) => k !== i) };
  for (let i = 0; i < g.env.length; i++) {
    const [name, value] = g.env[i]!;
    // A pod variable dropped becomes a first assignment, so it stays defined.
    yield {
      ...g,
      env: g.env.filter((_, k) => k !== i),
      inits: [...g.inits, `export ${name}=${quote(value)}`],
    };
  }
  // A first assignment of a variable that nothing else names.
  const rest = [...g.functions, ...g.body, ...g.second].join('\n');
  for (let i = 0; i < g.inits.length; i++) {
    const name = g.inits[i]!.replace(/^export /, '').split('=')[0]!;
    if (!new RegExp(`\\b${name}\\b`).test(rest)) yield { ...g, inits: g.inits.filter((_, k) => k !== i) };
  }
  for (let i = 0; i < g.inits.length; i++) {
    const line = g.inits[i]!;
    if (line.startsWith('export '))
      yield { ...g, inits: g.inits.map((l, k) => (k === i ? line.slice(7) : l)) };
  }
}
