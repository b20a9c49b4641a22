// The webhook image is the chart's appVersion: the chart runs `image.repository:<appVersion>` unless told
// otherwise, so an image built from this source must be that version. The Dockerfile runs this before it
// builds anything; it fails when package.json's version is not charts/oneproc/Chart.yaml's appVersion.
//   node scripts/check-version.js [package.json] [Chart.yaml]

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const packageFile = process.argv[2] ?? path.join(root, 'package.json');
const chartFile = process.argv[3] ?? path.join(root, 'charts', 'oneproc', 'Chart.yaml');

const version = JSON.parse(fs.readFileSync(packageFile, 'utf8')).version;
// Chart.yaml's top-level `appVersion: "X"` (quoted or not); Helm reads it as a string.
const match = /^appVersion:[ \t]*(["']?)([^"'\s#]+)\1[ \t]*(?:#.*)?$/m.exec(
  fs.readFileSync(chartFile, 'utf8'),
);
const appVersion = match?.[2];

if (appVersion !== version) {
  console.error(
    `package.json version ${version} is not the chart's appVersion ${appVersion ?? '(none)'} in ${chartFile}: ` +
      'an image built from this source would not be the one the chart runs. Set both to the same version.',
  );
  process.exit(1);
}
console.log(`version ${version} = the chart's appVersion`);
