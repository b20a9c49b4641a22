// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, where ${…} is parameter expansion.
import { containerCommands, expandReferences } from '../../src/shell';

const known = (vars: Record<string, string>) => (name: string) =>
  name in vars ? { value: vars[name] } : undefined;

describe('expandReferences (kubelet $(VAR) expansion)', () => {
  it.each([
    ['plain', 'no references', {}, 'no references'],
    ['a defined variable', '--workers=$(W)', { W: '4' }, '--workers=4'],
    ['$$ escapes', '$$(W) and $$', { W: '4' }, '$(W) and $'],
    ['an undefined reference stays verbatim', '$(NOPE)-x', {}, '$(NOPE)-x'],
    ['an incomplete $( stays', 'a$(W', { W: '4' }, 'a$(W'],
    ['a $ before other text stays', '$W ${W} $', { W: '4' }, '$W ${W} $'],
    ['arithmetic survives intact', '$((2*$(nproc)+1))', {}, '$((2*$(nproc)+1))'],
    ['several references', '$(A)$(B)$(A)', { A: '1', B: '2' }, '121'],
    ['an empty name', '$()', {}, '$()'],
  ])('%s', (_name, input, vars, expected) => {
    expect(
      expandReferences(input, known(vars))
        .map((p) => p.text)
        .join(''),
    ).toBe(expected);
  });

  it('keeps unknown references as separate pieces with their reason', () => {
    expect(expandReferences('-w=$(W)!', (n) => (n === 'W' ? { unknown: 'secret' } : undefined))).toEqual([
      { text: '-w=' },
      { text: '$(W)', unknown: 'secret' },
      { text: '!' },
    ]);
  });
});

describe('containerCommands: command and args', () => {
  it('joins command and args, with the path of each word', () => {
    const r = containerCommands(
      { command: ['/app/.venv/bin/uvicorn'], args: ['main:app', '--workers', '4'] },
      'spec.containers[0]',
    );
    expect(r.problems).toEqual([]);
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0].argv).toEqual([
      { text: '/app/.venv/bin/uvicorn', path: 'spec.containers[0].command[0]' },
      { text: 'main:app', path: 'spec.containers[0].args[0]' },
      { text: '--workers', path: 'spec.containers[0].args[1]' },
      { text: '4', path: 'spec.containers[0].args[2]' },
    ]);
    expect(r.commands[0].entrypointUnknown).toBeUndefined();
    expect(r.commands[0].wrappers).toEqual([]);
  });

  it('marks args alone as running under the image ENTRYPOINT', () => {
    const r = containerCommands({ args: ['gunicorn', '-w', '4', 'app:app'] }, 'c');
    expect(r.commands[0].entrypointUnknown).toBe(true);
    expect(r.commands[0].argv.map((w) => w.text)).toEqual(['gunicorn', '-w', '4', 'app:app']);
  });

  it('returns nothing when the image decides everything', () => {
    expect(containerCommands({ image: 'x' }, 'c')).toEqual({ commands: [], problems: [] });
    expect(containerCommands({ command: [], args: [] }, 'c')).toEqual({ commands: [], problems: [] });
  });

  it('turns numbers into text and other non-strings into unknown words, keeping positions', () => {
    const r = containerCommands({ command: ['gunicorn', '-w', 4, null, { a: 1 }, [1], true] }, 'c');
    expect(r.commands[0].argv).toEqual([
      { text: 'gunicorn', path: 'c.command[0]' },
      { text: '-w', path: 'c.command[1]' },
      { text: '4', path: 'c.command[2]' },
      { text: '(null)', unknown: 'c.command[3] is null, not a string', path: 'c.command[3]' },
      { text: '(an object)', unknown: 'c.command[4] is an object, not a string', path: 'c.command[4]' },
      { text: '(a list)', unknown: 'c.command[5] is a list, not a string', path: 'c.command[5]' },
      { text: 'true', path: 'c.command[6]' },
    ]);
  });
});

describe('containerCommands: env and $(VAR)', () => {
  it('expands $(VAR) from literal env, each value against the entries before it', () => {
    const r = containerCommands(
      {
        command: ['gunicorn', '-w', '$(WORKERS)', '--bind=$(HOST):$(PORT)', '$$(WORKERS)', '$(LATER)'],
        env: [
          { name: 'N', value: '3' },
          { name: 'WORKERS', value: '$(N)' },
          { name: 'HOST', value: '0.0.0.0' },
          { name: 'EARLY', value: '$(PORT)' },
          { name: 'PORT', value: 8000 },
          { name: 'LATER', value: 'x' },
        ],
      },
      'c',
    );
    const cmd = r.commands[0];
    expect(cmd.argv.map((w) => w.text)).toEqual([
      'gunicorn',
      '-w',
      '3',
      '--bind=0.0.0.0:8000',
      '$(WORKERS)',
      'x',
    ]);
    expect(cmd.argv.every((w) => w.unknown === undefined)).toBe(true);
    expect(cmd.env.get('WORKERS')).toEqual({ name: 'WORKERS', value: '3', path: 'c.env[1].value' });
    // A reference to a later entry is not expanded (the kubelet walks env in order).
    expect(cmd.env.get('EARLY')).toEqual({ name: 'EARLY', value: '$(PORT)', path: 'c.env[3].value' });
    expect(cmd.env.get('PORT')).toEqual({ name: 'PORT', value: '8000', path: 'c.env[4].value' });
  });

  it('names the source of valueFrom variables and keeps the reference verbatim', () => {
    const r = containerCommands(
      {
        command: ['uvicorn', 'app', '--workers=$(W)', '$(S)', '$(F)', '$(R)'],
        env: [
          { name: 'W', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'workers' } } },
          { name: 'S', valueFrom: { secretKeyRef: { name: 'creds', key: 'n' } } },
          { name: 'F', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['w']" } } },
          { name: 'R', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        ],
      },
      'c',
    );
    expect(r.commands[0].argv.slice(2)).toEqual([
      {
        text: '--workers=$(W)',
        unknown: 'W comes from ConfigMap app-config key workers (valueFrom.configMapKeyRef)',
        path: 'c.command[2]',
      },
      {
        text: '$(S)',
        unknown: 'S comes from Secret creds key n (valueFrom.secretKeyRef)',
        path: 'c.command[3]',
      },
      {
        text: '$(F)',
        unknown: "F comes from the pod field metadata.annotations['w'] (valueFrom.fieldRef)",
        path: 'c.command[4]',
      },
      {
        text: '$(R)',
        unknown: 'R comes from the resource limits.memory (valueFrom.resourceFieldRef)',
        path: 'c.command[5]',
      },
    ]);
    expect(r.commands[0].env.get('W')).toEqual({
      name: 'W',
      unknown: 'W comes from ConfigMap app-config key workers (valueFrom.configMapKeyRef)',
      path: 'c.env[0]',
    });
  });

  it('resolves resourceFieldRef limits.cpu from the container resources, as the kubelet does', () => {
    const r = containerCommands(
      {
        name: 'web',
        command: ['gunicorn', '-w', '$(CPUS)', '$(MILLI)'],
        resources: { limits: { cpu: '1500m' } },
        env: [
          { name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          {
            name: 'MILLI',
            valueFrom: {
              resourceFieldRef: { containerName: 'web', resource: 'requests.cpu', divisor: '1m' },
            },
          },
        ],
      },
      'c',
    );
    expect(r.commands[0].argv.map((w) => w.text)).toEqual(['gunicorn', '-w', '2', '1500']);
    const noLimit = containerCommands(
      {
        command: ['x', '$(CPUS)'],
        env: [{ name: 'CPUS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
      },
      'c',
    );
    expect(noLimit.commands[0].argv[1].unknown).toBe(
      'CPUS comes from the resource limits.cpu (valueFrom.resourceFieldRef)',
    );
  });

  it('treats undefined references as unknown only when envFrom could define them', () => {
    const without = containerCommands({ command: ['gunicorn', '-w', '$(W)'] }, 'c');
    expect(without.commands[0].argv[2]).toEqual({ text: '$(W)', path: 'c.command[2]' });
    const withFrom = containerCommands(
      {
        command: ['gunicorn', '-w', '$(W)', '$(APP_X)', '$(not a key)'],
        envFrom: [{ prefix: 'APP_', configMapRef: { name: 'a' } }, { secretRef: { name: 'b' } }],
      },
      'c',
    );
    const argv = withFrom.commands[0].argv;
    expect(argv[2]).toEqual({
      text: '$(W)',
      unknown: 'W may come from envFrom (Secret b, c.envFrom[1])',
      path: 'c.command[2]',
    });
    expect(argv[3].unknown).toBe('APP_X may come from envFrom (ConfigMap a, c.envFrom[0])');
    expect(argv[4]).toEqual({ text: '$(not a key)', path: 'c.command[4]' });
    expect(withFrom.commands[0].envFrom).toEqual([
      { source: 'ConfigMap a', prefix: 'APP_', path: 'c.envFrom[0]' },
      { source: 'Secret b', path: 'c.envFrom[1]' },
    ]);
  });

  it('lets env entries override envFrom keys', () => {
    const r = containerCommands(
      {
        command: ['x', '$(W)'],
        env: [{ name: 'W', value: '1' }],
        envFrom: [{ configMapRef: { name: 'a' } }],
      },
      'c',
    );
    expect(r.commands[0].argv[1]).toEqual({ text: '1', path: 'c.command[1]' });
  });

  it('skips env entries without a name and survives odd env shapes', () => {
    for (const env of [
      'x',
      null,
      5,
      [null, 1, { value: 'x' }, { name: 3 }, { name: 'A', value: { x: 1 } }],
    ]) {
      expect(() => containerCommands({ command: ['x'], env }, 'c')).not.toThrow();
    }
    const r = containerCommands({ command: ['x', '$(A)'], env: [{ name: 'A', value: { x: 1 } }] }, 'c');
    expect(r.commands[0].argv[1].unknown).toBe('A has a value that is not a string');
  });
});
