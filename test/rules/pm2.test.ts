import { isPm2ConfigFile } from '../../src/servers/pm2/args';
import { pm2, pm2Instances } from '../../src/servers/pm2/rule';
import { command, unknownWord } from './hand';

describe('pm2 rule', () => {
  it.each([
    [['pm2-runtime', 'start', 'app.js'], true],
    [['pm2', 'start', 'app.js'], true],
    [['/usr/local/bin/pm2-docker', 'app.js'], true],
    [['npx', 'pm2-runtime', 'app.js'], true],
    [['node', 'node_modules/pm2/bin/pm2-runtime', 'app.js'], true],
    [['node', 'app.js'], false],
    [['pm2x', 'start'], false],
  ])('recognises %j: %s', (argv, expected) => {
    expect(pm2.recognise(command(argv))).toBe(expected);
  });

  it('reads -i max as one instance per CPU, with the value word as the path', () => {
    expect(pm2.decide(command(['pm2-runtime', 'start', 'app.js', '-i', 'max']))).toEqual({
      outcome: 'multiple',
      workers: null,
      evidence: '-i max',
      path: 'command[4]',
      why: 'one instance per CPU',
    });
  });

  it('reads a count as that many instances and 1 as one', () => {
    expect(pm2.decide(command(['pm2', 'start', 'app.js', '-i', '4']))).toMatchObject({
      outcome: 'multiple',
      workers: 4,
    });
    expect(pm2.decide(command(['pm2', 'start', 'app.js', '-i', '1'])).outcome).toBe('single');
    expect(pm2.decide(command(['pm2', 'start', 'app.js'])).outcome).toBe('single');
  });

  it('treats a word with an unknown value as unknown, and keeps its reason', () => {
    const cmd = command([
      'pm2-runtime',
      'start',
      'app.js',
      '-i',
      unknownWord('$(N)', 'N comes from valueFrom'),
    ]);
    expect(pm2.decide(cmd)).toEqual({
      outcome: 'unknown',
      evidence: '-i $(N)',
      path: 'command[9]',
      why: 'N comes from valueFrom',
    });
  });

  it('treats $(nproc) as one per CPU, like max', () => {
    const cmd = command([
      'pm2-runtime',
      'start',
      'app.js',
      '-i',
      unknownWord('$(nproc)', 'command substitution'),
    ]);
    expect(pm2.decide(cmd)).toMatchObject({ outcome: 'multiple', workers: null });
  });

  it('reads a glued -i3 the way commander 2 does: -i -3', () => {
    const decision = pm2.decide(command(['pm2-runtime', 'start', 'app.js', '-i3']));
    expect(decision).toMatchObject({ outcome: 'unknown', evidence: '-i3', path: 'command[3]' });
  });

  it('sends ecosystem files to the file, ignoring -i', () => {
    const decision = pm2.decide(command(['pm2-runtime', 'start', 'ecosystem.config.js', '-i', '4']));
    expect(decision).toMatchObject({ outcome: 'unknown', path: 'command[2]' });
    expect(pm2.fix(decision)).toContain('instances: 1');
  });

  it('names the exact change in fix()', () => {
    const decision = pm2.decide(command(['pm2-runtime', 'start', 'app.js', '-i', 'max']));
    expect(pm2.fix(decision)).toBe('use `-i 1` (or drop `-i max`)');
  });

  it.each([
    ['max', { kind: 'per-cpu', min: 1, max: 256 }],
    ['0', { kind: 'per-cpu', min: 1, max: 256 }],
    ['abc', { kind: 'per-cpu', min: 1, max: 256 }],
    ['-2', { kind: 'per-cpu', min: 1, max: 254 }],
    ['3abc', { kind: 'number', n: 3 }],
    ['1.9', { kind: 'number', n: 1 }],
  ])('pm2Instances(%s) follows parseInt(...) || 0 and God.js', (text, expected) => {
    expect(pm2Instances(text)).toEqual(expected);
  });

  it.each([
    ['ecosystem.config.js', true],
    ['process.json', true],
    ['pm2.yaml', true],
    ['app.config.mjs', true],
    ['app.js', false],
    ['server.mjs', false],
  ])('isPm2ConfigFile(%s) = %s', (name, expected) => {
    expect(isPm2ConfigFile(name)).toBe(expected);
  });
});
