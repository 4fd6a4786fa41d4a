// `npm run beam:provision`: builds the Beam toolchain the real-runner tests and `pmp curate --runner
// portable|flink` use (Python job service venv, GCP expansion service, Flink job server) into the
// cache now, instead of on first use. CI calls it before `npm test` so the tests only reuse it.
import { javaServiceJar, type JavaService } from './java-services.js';
import { beamPython } from './python-venv.js';
import { beamCacheDir } from './toolchain-cache.js';

const started = performance.now();
const steps: [string, () => Promise<string>][] = [
  ['Python job service venv', beamPython],
  ...(['gcpExpansionService', 'flinkJobServer'] as JavaService[]).map(
    (service): [string, () => Promise<string>] => [service, () => javaServiceJar(service)],
  ),
];
try {
  for (const [what, provision] of steps) {
    const stepStarted = performance.now();
    const path = await provision();
    const seconds = ((performance.now() - stepStarted) / 1000).toFixed(1);
    console.log(`${what}: ${path} (${seconds} s)`);
  }
  const total = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Beam toolchain ready in ${beamCacheDir()} (${total} s)`);
} catch (error) {
  console.error(`pmp: ${(error as Error).message}`);
  process.exitCode = 1;
}
