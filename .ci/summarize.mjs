// Reads vitest's JSON report and prints the plain `N passed, M failed` line CI looks for.
// Exits non-zero when a test failed, when none ran, or when `npm test` itself failed earlier
// (typecheck, lint or format), in which case there may be no report at all.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, testStatus = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  // numFailedTestSuites also counts every describe block around a failed test, so a single failure
  // read as three. A file that failed without a failed test (an import error, a failing hook) is
  // counted once instead.
  const filesFailedOutsideTests = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' &&
      !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  failed = (report.numFailedTests ?? 0) + filesFailedOutsideTests;
} else {
  console.error(`no vitest report at ${reportPath}: npm test stopped before the tests ran`);
}
if (Number(testStatus) !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
