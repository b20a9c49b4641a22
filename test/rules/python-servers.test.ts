/** Unit tests of the smaller Python server rules on hand-built commands. */
import { daphne } from '../../src/servers/daphne/rule';
import { fastapi } from '../../src/servers/fastapi/rule';
import { granian } from '../../src/servers/granian/rule';
import { hypercorn } from '../../src/servers/hypercorn/rule';
import { odoo } from '../../src/servers/odoo/rule';
import { sanic } from '../../src/servers/sanic/rule';
import { waitress } from '../../src/servers/waitress/rule';
import { command } from './build';

describe('hypercorn rule', () => {
  const decide = (argv: string[]) => hypercorn.decide(command(argv));
  it('reads -w/--workers in argparse forms', () => {
    expect(decide(['hypercorn', '-w', '4', 'a:b'])).toMatchObject({ outcome: 'multiple', workers: 4 });
    expect(decide(['hypercorn', '-w=2', 'a:b'])).toMatchObject({ workers: 2 });
    expect(decide(['hypercorn', '--workers', '1', 'a:b']).outcome).toBe('single');
    expect(decide(['hypercorn', '--workers', '0', 'a:b']).outcome).toBe('single');
  });
  it('does not read -k as a count, and warns about a named config', () => {
    expect(decide(['hypercorn', '-k', 'uvloop', 'a:b'])).toEqual({ outcome: 'single' });
    expect(decide(['hypercorn', '-c', 'h.toml', 'a:b'])).toMatchObject({
      outcome: 'unknown',
      path: 'container.args[2]',
    });
  });
});

describe('granian rule', () => {
  const decide = (argv: string[], env = {}) => granian.decide(command(argv, env));
  it('reads --workers over GRANIAN_WORKERS, ignoring WEB_CONCURRENCY', () => {
    expect(decide(['granian', '--workers', '2', 'a:b'], { GRANIAN_WORKERS: '1' })).toMatchObject({
      workers: 2,
    });
    expect(decide(['granian', 'a:b'], { GRANIAN_WORKERS: '3' })).toMatchObject({ workers: 3 });
    expect(decide(['granian', 'a:b'], { WEB_CONCURRENCY: '3' })).toEqual({ outcome: 'single' });
  });
  it('does not count threads', () => {
    expect(decide(['granian', '--blocking-threads', '4', '--runtime-threads', '2', 'a:b'])).toEqual({
      outcome: 'single',
    });
  });
});

describe('fastapi-cli rule', () => {
  const decide = (argv: string[], env = {}) => fastapi.decide(command(argv, env));
  it('recognises run and dev only', () => {
    expect(fastapi.recognise(command(['fastapi', 'run']))).toBe(true);
    expect(fastapi.recognise(command(['fastapi', 'dev', 'main.py']))).toBe(true);
    expect(fastapi.recognise(command(['fastapi', '--version']))).toBe(false);
    expect(fastapi.recognise(command(['fastapi', 'deploy']))).toBe(false);
  });
  it('reads run --workers and WEB_CONCURRENCY but not UVICORN_WORKERS', () => {
    expect(decide(['fastapi', 'run', '--workers', '4'])).toMatchObject({ workers: 4 });
    expect(decide(['fastapi', 'run'], { WEB_CONCURRENCY: '2' })).toMatchObject({ workers: 2 });
    expect(decide(['fastapi', 'run'], { UVICORN_WORKERS: '2' })).toEqual({ outcome: 'single' });
  });
  it('runs one process while reloading', () => {
    expect(decide(['fastapi', 'dev'], { WEB_CONCURRENCY: '2' }).outcome).toBe('single');
    expect(decide(['fastapi', 'run', '--reload', '--workers', '3']).outcome).toBe('single');
  });
});

describe('sanic rule', () => {
  const decide = (argv: string[]) => sanic.decide(command(argv));
  it('reads -w, --fast and --single-process; -p is the port', () => {
    expect(decide(['sanic', 's:app', '-w', '3'])).toMatchObject({ workers: 3 });
    expect(decide(['sanic', 's:app', '--fast'])).toMatchObject({ outcome: 'multiple', workers: null });
    expect(decide(['sanic', 's:app', '--single-process']).outcome).toBe('single');
    expect(decide(['sanic', 's:app', '-p', '8000'])).toEqual({ outcome: 'single' });
  });
});

describe('single-process servers', () => {
  it('daphne and waitress are recognised and always single', () => {
    const d = command(['daphne', '-p', '8000', 'p.asgi:application']);
    const w = command(['waitress-serve', '--threads', '8', 'app:app']);
    expect(daphne.recognise(d)).toBe(true);
    expect(daphne.decide(d).outcome).toBe('single');
    expect(waitress.recognise(w)).toBe(true);
    expect(waitress.decide(w).outcome).toBe('single');
  });
});

describe('odoo rule', () => {
  const decide = (argv: string[], env = {}) => odoo.decide(command(argv, env));
  it('reads --workers; -w is the database password', () => {
    // 4 HTTP workers, the gevent process and 2 cron workers (PreforkServer.process_spawn).
    expect(decide(['odoo', '--workers=4'])).toMatchObject({ outcome: 'multiple', workers: 7 });
    expect(decide(['odoo', '--workers', '1'])).toMatchObject({ outcome: 'multiple', workers: 4 });
    expect(decide(['odoo', '-w', '4'])).toEqual({ outcome: 'single' });
    expect(decide(['odoo', '--workers', '0']).outcome).toBe('single');
  });
  it('recognises the server subcommands only', () => {
    expect(odoo.recognise(command(['odoo', 'server', '--workers', '2']))).toBe(true);
    expect(odoo.recognise(command(['odoo', 'shell']))).toBe(false);
  });
  it('warns about a named config file', () => {
    expect(decide(['odoo', '-c', '/etc/odoo.conf'])).toMatchObject({ outcome: 'unknown' });
    expect(decide(['odoo'], { ODOO_RC: '/etc/odoo.conf' })).toMatchObject({ outcome: 'unknown' });
    expect(decide(['odoo', '-c', '/etc/odoo.conf', '--workers', '0']).outcome).toBe('single');
  });
});
