/**
 * The cdk8s app that `cdk8s synth` runs (see cdk8s.yaml). With no settings it synthesizes the example
 * of the original write-up: a FastAPI app served by one uvicorn process on port 8596, 2–10 replicas
 * under a HorizontalPodAutoscaler, and an in-cluster Redis for shared state.
 *
 * To synthesize your own app, write its SingleProcessApp props as YAML or JSON and point
 * ONEPROC_APP_SETTINGS at the file: `ONEPROC_APP_SETTINGS=app.yaml npx cdk8s synth --no-check-upgrade`.
 */
import { readFileSync } from 'node:fs';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { SingleProcessApp, type SingleProcessAppProps } from './constructs';

/** The example app's props. */
export const EXAMPLE_APP: SingleProcessAppProps = {
  name: 'fastapi-app',
  image: 'ghcr.io/example/fastapi-app:1.0.0',
  command: ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8596'],
  port: 8596,
  replicas: { min: 2, max: 10 },
  redis: true,
};

/** The props to synthesize: the file named by ONEPROC_APP_SETTINGS, or the example. */
export function appSettings(env: NodeJS.ProcessEnv = process.env): SingleProcessAppProps {
  const file = env.ONEPROC_APP_SETTINGS;
  if (!file) return EXAMPLE_APP;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`ONEPROC_APP_SETTINGS: cannot read ${file}: ${(err as Error).message}`);
  }
  // JSON is YAML; SingleProcessApp validates the props and names any bad one.
  return parse(text) as SingleProcessAppProps;
}

// `cdk8s synth` passes its output folder (cdk8s.yaml's `output`, or --output) in CDK8S_OUTDIR.
const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'cdk8s.out' });
const settings = appSettings();
const chart = new Chart(app, settings.name ?? 'app');
new SingleProcessApp(chart, settings.name ?? 'app', settings);
app.synth();
