import { COMMON } from './shared.js';

/** Production: promoted from dev by a reviewed change to clusters/prod (CODEOWNERS). */
export const prod = {
  ...COMMON,
  name: 'prod',
  projectId: 'pmp-prod-paris',
  projectNumber: '733902145108',
  billingAccount: '01A7C3-5B9D2E-F04E61',
  namespace: 'pmp-prod',
  imageRegistry: 'europe-west9-docker.pkg.dev/pmp-prod-paris/pmp',
  configConnectorServiceAccount: 'pmp-config-connector@pmp-prod-paris.iam.gserviceaccount.com',
} as const;
