import { COMMON } from './shared.js';

/** The development project: everything runs here first, on every merge to main. */
export const dev = {
  ...COMMON,
  name: 'dev',
  projectId: 'pmp-dev-paris',
  projectNumber: '418230917562',
  billingAccount: '01A7C3-5B9D2E-F04E61',
  namespace: 'pmp-dev',
  imageRegistry: 'europe-west9-docker.pkg.dev/pmp-dev-paris/pmp',
  configConnectorServiceAccount: 'pmp-config-connector@pmp-dev-paris.iam.gserviceaccount.com',
} as const;
