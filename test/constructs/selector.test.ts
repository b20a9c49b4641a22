/**
 * A Deployment's selector (and a StatefulSet's) is immutable: an apply that changes it is rejected by the
 * API server. So the selectors SingleProcessApp writes come from the app's `name`, never from where the
 * construct sits in the tree; `legacySelector` keeps the construct-path selector of oneproc 0.1.0 for
 * apps already applied with it.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { SingleProcessApp, type SingleProcessAppProps } from '../../src/constructs';
import type { Manifest } from './helpers';

const PROPS: SingleProcessAppProps = {
  name: 'shop',
  namespace: 'shop',
  image: 'ghcr.io/acme/shop:2.0.1',
  command: ['uvicorn', 'shop.main:app', '--port', '8000'],
  port: 8000,
  redis: true,
};

/** The objects of a chart `shop` with the app at `scopes…/id`. */
function synth(id: string, props: SingleProcessAppProps = PROPS, scopes: string[] = []): Manifest[] {
  const chart = new Chart(Testing.app(), 'shop');
  let scope: Construct = chart;
  for (const s of scopes) scope = new Construct(scope, s);
  new SingleProcessApp(scope, id, props);
  return Testing.synth(chart);
}

function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

describe('selectors come from the name', () => {
  test('renaming the construct id, or moving it in the tree, changes no object at all', () => {
    const before = synth('web');
    expect(synth('frontend')).toEqual(before);
    expect(synth('web', PROPS, ['services', 'v2'])).toEqual(before);
  });

  test('the Deployment selects its pods by instance (the name) and component', () => {
    const objects = synth('web');
    const deployment = find(objects, 'Deployment', 'shop');
    const selector = { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'server' };
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    expect(deployment.spec.template.metadata.labels).toEqual({
      ...selector,
      'app.kubernetes.io/name': 'shop',
    });
    expect(find(objects, 'Service', 'shop').spec.selector).toEqual(selector);
    expect(find(objects, 'PodDisruptionBudget', 'shop').spec.selector).toEqual({ matchLabels: selector });
    for (const c of deployment.spec.template.spec.topologySpreadConstraints) {
      expect(c.labelSelector).toEqual({ matchLabels: selector });
    }
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('the Redis workload selects its pod by its own name, and admits the app by the app name', () => {
    const objects = synth('web');
    const selector = { 'app.kubernetes.io/component': 'redis', 'app.kubernetes.io/instance': 'shop-redis' };
    expect(find(objects, 'Deployment', 'shop-redis').spec.selector).toEqual({ matchLabels: selector });
    expect(find(objects, 'Service', 'shop-redis').spec.selector).toEqual(selector);
    const policy = find(objects, 'NetworkPolicy', 'shop-redis');
    expect(policy.spec.podSelector).toEqual({ matchLabels: selector });
    expect(policy.spec.ingress[0].from).toEqual([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'server' },
        },
      },
    ]);
    const persistent = synth('web', { ...PROPS, redis: { persistence: { size: '1Gi' } } });
    expect(find(persistent, 'StatefulSet', 'shop-redis').spec.selector).toEqual({ matchLabels: selector });
  });

  test('two apps in one namespace select only their own pods', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new SingleProcessApp(chart, 'web', PROPS);
    new SingleProcessApp(chart, 'admin', { ...PROPS, name: 'shop-admin', redis: undefined });
    const objects = Testing.synth(chart);
    const web = find(objects, 'Deployment', 'shop').spec.selector.matchLabels;
    const admin = find(objects, 'Deployment', 'shop-admin');
    expect(Object.entries(web).every(([k, v]) => admin.spec.template.metadata.labels[k] === v)).toBe(false);
  });
});

describe('legacySelector: the construct-path selector of oneproc 0.1.0, for apps applied with it', () => {
  const FIXTURE = JSON.parse(
    readFileSync(path.join(__dirname, 'fixtures', 'selector-0.1.0.json'), 'utf8'),
  ) as Record<'redis' | 'persistent', Manifest[]>;

  test('synthesizes exactly what 0.1.0 synthesized, so an existing Deployment applies unchanged', () => {
    expect(synth('web', { ...PROPS, legacySelector: true })).toEqual(FIXTURE.redis);
    expect(synth('web', { ...PROPS, redis: { persistence: { size: '1Gi' } }, legacySelector: true })).toEqual(
      FIXTURE.persistent,
    );
  });

  test('selects by cdk8s.io/metadata.addr, which follows the construct path', () => {
    const deployment = find(synth('web', { ...PROPS, legacySelector: true }), 'Deployment', 'shop');
    expect(deployment.spec.selector.matchLabels).toEqual({
      'cdk8s.io/metadata.addr': 'shop-web-Deployment-c8a5c839',
    });
    const renamed = find(synth('frontend', { ...PROPS, legacySelector: true }), 'Deployment', 'shop');
    expect(renamed.spec.selector).not.toEqual(deployment.spec.selector);
  });

  test('the default is the stable selector, which differs from 0.1.0 for an app with a name', () => {
    expect(synth('web')).not.toEqual(FIXTURE.redis);
  });
});
