// Prints one closing line for the whole `make test` run from the result files each package's jest wrote.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseCommandLine } from 'cli-kit';

parseCommandLine({ program: 'test-summary.js', usage: `Usage: node scripts/test-summary.js   (the end of make test)

Prints each suite's counts and one closing line, tests: N passed, N failed, from the jest results that
every package (and the repository-wide suite) wrote to test-output/jest-results.json. Exit 1 when a
test failed or a suite wrote no results.

Options:
  -h, --help   show this help
` });

// packages/*/ and the repository-wide suite in test/ (its results under the root's test-output/)
const suites = [...readdirSync(new URL('../packages/', import.meta.url)).map((name) => [name, `packages/${name}/`]), ['repository', '']];
let passed = 0;
let failed = 0;
const missing = [];
for (const [name, dir] of suites) {
  const file = new URL(`../${dir}test-output/jest-results.json`, import.meta.url);
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  console.log(`${name}: ${results.numPassedTests} passed, ${results.numFailedTests} failed`);
}
if (missing.length > 0) console.log(`no test results from: ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed + missing.length} failed`);
process.exitCode = failed + missing.length > 0 ? 1 : 0;
