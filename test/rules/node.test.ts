import { node } from '../../src/servers/node/rule';
import { command } from './hand';

describe('node rule', () => {
  it('recognises node, npm start and the framework servers, not npm run build', () => {
    expect(node.recognise(command(['node', 'app.js']))).toBe(true);
    expect(node.recognise(command(['npm', 'start']))).toBe(true);
    expect(node.recognise(command(['next', 'start']))).toBe(true);
    expect(node.recognise(command(['npm', 'run', 'build']))).toBe(false);
    expect(node.recognise(command(['deno', 'run', 'app.ts']))).toBe(false);
  });

  it('warns when WEB_CONCURRENCY > 1 is set on a node app', () => {
    expect(node.decide(command(['node', 'server.js'], { WEB_CONCURRENCY: '4' }))).toEqual({
      outcome: 'unknown',
      evidence: 'WEB_CONCURRENCY=4',
      path: 'env[0].value',
      why: 'WEB_CONCURRENCY=4 is set; if the app uses throng/cluster it forks 4 workers',
    });
  });

  it('says nothing about node app.js alone or WEB_CONCURRENCY=1', () => {
    expect(node.decide(command(['node', 'app.js'])).outcome).toBe('single');
    expect(node.decide(command(['node', 'app.js'], { WEB_CONCURRENCY: '1' })).outcome).toBe('single');
  });

  it('treats next start as one process even with WEB_CONCURRENCY', () => {
    expect(node.decide(command(['next', 'start'], { WEB_CONCURRENCY: '4' })).outcome).toBe('single');
  });

  it('names the fix', () => {
    const decision = node.decide(command(['node', 'server.js'], { WEB_CONCURRENCY: '4' }));
    expect(node.fix(decision)).toBe('set WEB_CONCURRENCY=1 (or remove it)');
  });
});
