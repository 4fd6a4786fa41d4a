import { defineConfig } from 'vitest/config';

// CI asks for a JSON report (see .ci/run) so it can print its own `N passed, M failed` line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'clusters/**', '.pmp/**'],
    testTimeout: 30_000,
    // Tests only talk to our emulators; without this the Google auth library probes the GCE metadata
    // server in every process (about 0.5 s each) and warns when it is not there.
    env: { METADATA_SERVER_DETECTION: 'none' },
    hookTimeout: 60_000,
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    outputFile: jsonReport ? { json: jsonReport } : undefined,
  },
});
