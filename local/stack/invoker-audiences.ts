import { mapServiceUrl } from '../reconcile/service-urls.js';
import type { SchedulerJob } from '../scheduler/jobs.js';

/**
 * Cloud Run service name → the OIDC audience its scheduler jobs' tokens carry. On Cloud Run the
 * platform checks the invoker's token before a request reaches the service; locally there is no
 * platform, so the stack hands this audience to the service (`INVOKER_AUDIENCE`) to check itself.
 * A job's target is found by the same host-name rule that routes its calls (`mapServiceUrl`).
 */
export function invokerAudiences(
  jobs: readonly SchedulerJob[],
  serviceNames: readonly string[],
): Record<string, string> {
  // Each name stands for itself, so the mapped URL's host names the service the job calls.
  const byName = Object.fromEntries(serviceNames.map((name) => [name, `http://${name}`]));
  const audiences: Record<string, string> = {};
  for (const job of jobs) {
    if (!job.oidcAudience) continue;
    const mapped = mapServiceUrl(job.uri, byName);
    if (mapped === job.uri) continue;
    audiences[new URL(mapped).hostname] ??= job.oidcAudience;
  }
  return audiences;
}
