import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './run-tool.js';
import { cachedBuild } from './toolchain-cache.js';

/** Beam's version on every side: the npm SDK is frozen at 2.49 (no later release on npm). */
export const BEAM_VERSION = '2.49.0';

/** The Java services the project assembles, each a Maven module under beam/portable/java/. */
export const JAVA_SERVICES = {
  /** PubsubIO and BigQueryIO for cross-language expansion. */
  gcpExpansionService: { module: 'expansion-service', jar: 'pmp-gcp-expansion-service.jar' },
  /** Beam's Flink job server (Flink 1.15, the newest whose runner 2.49 is served here). */
  flinkJobServer: { module: 'flink-job-server', jar: 'pmp-flink-job-server.jar' },
} as const;

export type JavaService = keyof typeof JAVA_SERVICES;

const JAVA_MODULES = fileURLToPath(new URL('./java/', import.meta.url));

/**
 * The launcher jar of `service`, built with Maven on first use (dependencies from Maven Central
 * into ~/.m2, the jar and its lib/ into the Beam cache) and reused afterwards. `java -jar` runs
 * it, as the SDK runs Beam's shaded jars.
 */
export async function javaServiceJar(service: JavaService): Promise<string> {
  const { module, jar } = JAVA_SERVICES[service];
  const built = await cachedBuild(
    `java-${module}-${BEAM_VERSION}-${pomsHash(module)}`,
    async (dir) => {
      process.stderr.write(
        `pmp: assembling Beam ${BEAM_VERSION} ${module} with Maven (first use only, ~1 min)…\n`,
      );
      await runTool(
        'mvn',
        ['-q', '-B', '-f', join(JAVA_MODULES, module, 'pom.xml'), 'package', `-Dpmp.out=${dir}`],
        `assembling the Beam ${module} from Maven Central`,
      );
    },
  );
  const path = join(built, jar);
  if (!existsSync(path)) throw new Error(`${path} is missing: delete ${built} and retry`);
  return path;
}

/** Changes to a module's pom (or the parent's) build a new jar instead of reusing a stale one. */
function pomsHash(module: string): string {
  const hash = createHash('sha256');
  for (const pom of [join(JAVA_MODULES, 'pom.xml'), join(JAVA_MODULES, module, 'pom.xml')]) {
    hash.update(readFileSync(pom));
  }
  return hash.digest('hex').slice(0, 12);
}
