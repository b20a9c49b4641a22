// Prints Jest's results as the plain closing line `N passed, N failed` (and skipped, when any).

const fs = require('node:fs');

const file = process.argv[2] ?? '.test-results.json';
let results;
try {
  results = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`could not read ${file}: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const failedSuites = results.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
);
for (const suite of failedSuites) {
  console.log(`suite failed to run: ${suite.name}\n${suite.message}`);
}
const skipped = results.numPendingTests + results.numTodoTests;
const failed = results.numFailedTests + failedSuites.length;
console.log(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
