import { COMMON } from './shared.js';

/**
 * One laptop: the same manifests, read by `pmp reconcile` (emulators) and, as Kubernetes
 * Deployments, by `skaffold dev -p local`. Images are bare names built by skaffold; service URLs are
 * the in-cluster Service names; the feeds come from `pmp simulate`, run from the emulators image.
 */
export const local = {
  ...COMMON,
  name: 'local',
  projectId: 'pmp-local',
  projectNumber: '100000000001',
  billingAccount: '000000-000000-000000',
  namespace: 'pmp-local',
  imageRegistry: '',
  serviceUrlTemplate: 'http://{service}:8080',
  stationStatusFeedUrl: 'http://pmp-simulator:8090/opendata/Velib_Metropole/station_status.json',
  stationInformationFeedUrl:
    'http://pmp-simulator:8090/opendata/Velib_Metropole/station_information.json',
  configConnectorServiceAccount: 'pmp-config-connector@pmp-local.iam.gserviceaccount.com',
  // The local dashboard and the end-to-end checks must see a snapshot as soon as it lands.
  martsMaxStaleness: '0-0 0 0:0:0',
  emulators: {
    pubsubHost: 'pmp-emulators:8085',
    bigqueryHost: 'http://pmp-emulators:9050',
    jwksUrl: 'http://pmp-emulators:8086/jwks',
  },
} as const;
