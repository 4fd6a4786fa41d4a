import { mapServiceUrl, type ServiceUrls } from '../reconcile/service-urls.js';
import type { JobInvoker } from './scheduler.js';

/**
 * Calls a job's HTTP target the way Cloud Scheduler does: the manifest's URI (its Cloud Run host
 * mapped to the local port), an OIDC ID token for the job's audience and invoker account, any
 * non-2xx is a failure. The token comes from the Pub/Sub emulator's key, so local services verify
 * scheduler and push tokens against one JWKS.
 */
export function httpJobInvoker(options: {
  serviceUrls: () => ServiceUrls;
  mintIdToken: (request: { audience: string; email: string }) => Promise<string>;
}): JobInvoker {
  return async (job, signal) => {
    const url = mapServiceUrl(job.uri, options.serviceUrls());
    const headers: Record<string, string> = { 'user-agent': 'Google-Cloud-Scheduler' };
    if (job.oidcAudience && job.oidcEmail) {
      const token = await options.mintIdToken({ audience: job.oidcAudience, email: job.oidcEmail });
      headers.authorization = `Bearer ${token}`;
    }
    const response = await fetch(url, { method: job.method, headers, signal });
    const body = await response.text();
    if (!response.ok) {
      throw new Error(`${job.method} ${url} → ${response.status}: ${body.slice(0, 300)}`);
    }
    try {
      const parsed = JSON.parse(body) as { messageId?: string; stations?: number };
      if (parsed.messageId) {
        return `${response.status}: message ${parsed.messageId}${
          parsed.stations !== undefined ? `, ${parsed.stations} stations` : ''
        }`;
      }
    } catch {
      // Not JSON: the status is the result.
    }
    return `${response.status}`;
  };
}
