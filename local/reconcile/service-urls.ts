/** Cloud Run service name → the local base URL serving it, e.g. `pmp-bq-writer → http://127.0.0.1:8102`. */
export type ServiceUrls = Readonly<Record<string, string>>;

/**
 * Rewrites a URL that addresses a Cloud Run service to the local process serving it, keeping path
 * and query. The service is recognised by the first label of the host name: `pmp-bq-writer` (the
 * local manifests' in-cluster name) or `pmp-bq-writer-418230917562.europe-west9.run.app` (a Cloud
 * Run URL: name, a dash, the project number or hash). The longest matching name wins, so
 * `pmp-velib-station-info-writer` is never taken for a service called `pmp-velib`. URLs naming no
 * known service come back unchanged.
 */
export function mapServiceUrl(url: string, services: ServiceUrls): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const label = parsed.hostname.split('.')[0] ?? '';
  const match = Object.keys(services)
    .filter(
      (name) =>
        label === name ||
        (label.startsWith(`${name}-`) && /^[a-z0-9]+$/.test(label.slice(name.length + 1))),
    )
    .sort((a, b) => b.length - a.length)[0];
  if (!match) return url;
  const base = new URL(services[match]!);
  return `${base.origin}${parsed.pathname}${parsed.search}`;
}
