export {
  ASSERTIONS_DIR,
  parseAssertion,
  readAssertions,
  type Assertion,
  type Severity,
} from './assertions.js';
export {
  CONCURRENCY,
  DEFAULT_WINDOW_MS,
  SAMPLE_ROWS,
  failedErrors,
  runAssertions,
  type AssertionResult,
  type QualityRun,
  type RunOptions,
} from './run-assertions.js';
export { recordRun, resultRows, type ResultRow, type Trigger } from './results-table.js';
