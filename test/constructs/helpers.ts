/** Shared helpers of the construct tests: synthesize a chart, find objects, validate them. */
import { Chart, Testing } from 'cdk8s';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';
import { SingleProcessApp, type SingleProcessAppProps } from '../../src/constructs';

// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests are plain JSON, read field by field.
export type Manifest = any;

const MODELS: Record<string, new (data: Manifest) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/Service': Service,
};

/** Validates one object against the Kubernetes OpenAPI schema (kubernetes-models); throws if invalid. */
export function validateObject(obj: Manifest): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no schema model for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

export interface Synthesized {
  app: SingleProcessApp;
  objects: Manifest[];
  /** What the synth printed on standard error (warnings, exempted findings). */
  printed: string;
  /** The only object of this kind and component (`server` or `redis`). */
  one(kind: string, component?: 'server' | 'redis'): Manifest;
}

/** A chart with one SingleProcessApp (id `web`), synthesized; every object validated. */
export function synthApp(props: SingleProcessAppProps): Synthesized {
  const chart = new Chart(Testing.app(), 'test');
  const app = new SingleProcessApp(chart, 'web', props);
  let printed = '';
  const objects: Manifest[] = captureStderr(
    () => Testing.synth(chart),
    (text) => {
      printed += text;
    },
  );
  for (const obj of objects) validateObject(obj);
  const one = (kind: string, component: 'server' | 'redis' = 'server') => {
    const found = objects.filter(
      (o) =>
        o.kind === kind &&
        (component === 'redis'
          ? o.metadata.labels?.['app.kubernetes.io/component'] === 'redis'
          : o.metadata.labels?.['app.kubernetes.io/component'] !== 'redis'),
    );
    if (found.length !== 1) throw new Error(`expected one ${component} ${kind}, found ${found.length}`);
    return found[0];
  };
  return { app, objects, one, printed };
}

/** Runs `fn` with standard error captured (the synth's printout is asserted, not shown as noise). */
export function captureStderr<T>(fn: () => T, sink: (text: string) => void): T {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    return fn();
  } finally {
    write.mockRestore();
  }
}

/** The error a construction throws, or a failure when it does not throw. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, none was thrown');
}

/** Constructs a SingleProcessApp with these props (no synth). */
export function construct(props: unknown): SingleProcessApp {
  return new SingleProcessApp(new Chart(Testing.app(), 'test'), 'web', props as SingleProcessAppProps);
}

export const UVICORN = ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596'];
