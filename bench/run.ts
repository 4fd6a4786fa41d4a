// Runs every benchmark in bench/ (or those whose file name contains argv[2]) one after another,
// each in its own process so one benchmark's warm caches and heap never flatter the next.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts') && name.includes(filter))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark in bench/ matches "${filter}"`);
  process.exit(1);
}
let failures = 0;
for (const bench of benches) {
  console.log(`\n### ${bench}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, bench)], {
    stdio: 'inherit',
    // No Google metadata server next to the emulators: skip the clients' probe and its warning.
    env: { METADATA_SERVER_DETECTION: 'none', ...process.env },
  });
  if (result.status !== 0) failures += 1;
}
process.exit(failures > 0 ? 1 : 0);
