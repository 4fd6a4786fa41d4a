/** Values every environment shares; the per-environment files spread them and override the rest. */
export const COMMON = {
  region: 'europe-west9',
  schedulerLocation: 'europe-west1',
  bigqueryLocation: 'europe-west9',
  serviceUrlTemplate: 'https://{service}-{projectNumber}.{region}.run.app',
  stationStatusFeedUrl:
    'https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole/station_status.json',
  stationInformationFeedUrl:
    'https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole/station_information.json',
  gitRepo: 'https://github.com/paris-mobility-pulse/paris-mobility-pulse',
  gitBranch: 'main',
  martsMaxStaleness: '0-0 0 0:5:0',
} as const;
