import { COMMON } from './shared.js';

/**
 * Production. Its RootSync follows the `prod` branch, not main: a merge renders clusters/prod but
 * only reaches production when that commit is promoted (docs/gitops.md).
 */
export const prod = {
  ...COMMON,
  name: 'prod',
  projectId: 'pmp-prod-paris',
  projectNumber: '733902145108',
  billingAccount: '01A7C3-5B9D2E-F04E61',
  namespace: 'pmp-prod',
  gitBranch: 'prod',
  imageRegistry: 'europe-west9-docker.pkg.dev/pmp-prod-paris/pmp',
  configConnectorServiceAccount: 'pmp-config-connector@pmp-prod-paris.iam.gserviceaccount.com',
} as const;
