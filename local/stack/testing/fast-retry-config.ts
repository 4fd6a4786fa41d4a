import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../stack.js';

/**
 * A copy of clusters/local under `work`/local with `subscription`'s push retry backoff cut from the
 * manifests' 10–600 s to 1 s, so a test sees a refused push come back in seconds. Returns the copy's
 * path (the stack's `envDir`). Throws if the manifest no longer has that retry policy, rather than
 * leaving a test to wait the real backoff.
 */
export function localConfigWithFastRetry(work: string, subscription: string): string {
  const envDir = path.join(work, 'local');
  cpSync(path.join(REPO_ROOT, 'clusters/local'), envDir, { recursive: true });
  const messaging = path.join(envDir, 'config-sync/messaging.yaml');
  const before = readFileSync(messaging, 'utf8');
  const policy = new RegExp(
    `(name: ${subscription}\\n[\\s\\S]*?retryPolicy:\\n) {4}maximumBackoff: 600s\\n {4}minimumBackoff: 10s`,
  );
  if (!policy.test(before)) {
    throw new Error(`${messaging}: no 10–600 s retry policy found for ${subscription}`);
  }
  writeFileSync(
    messaging,
    before.replace(policy, '$1    maximumBackoff: 1s\n    minimumBackoff: 1s'),
  );
  return envDir;
}
