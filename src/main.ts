/** The cdk8s app that `cdk8s synth` runs. PLACEHOLDER until the constructs land. */
import { App, Chart } from 'cdk8s';

const app = new App({ outdir: 'cdk8s.out' });
new Chart(app, 'oneproc-example');
app.synth();
