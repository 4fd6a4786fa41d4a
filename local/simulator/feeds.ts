import type { VelibModel } from './model.js';
import {
  gbfsDiscovery,
  gbfsStationInformation,
  gbfsStationStatus,
  gbfsSystemInformation,
  gbfsVehicleTypes,
} from './render-gbfs23.js';
import {
  velibDiscovery,
  velibStationInformation,
  velibStationStatus,
  velibSystemInformation,
} from './render-velib.js';

/** `velib`: the real feed's non-standard shape (default); `2.3`: standard GBFS 2.3. */
export type FeedFormat = 'velib' | '2.3';
export const FEED_FORMATS: readonly FeedFormat[] = ['velib', '2.3'];

export type FeedName =
  'gbfs' | 'system_information' | 'vehicle_types' | 'station_information' | 'station_status';

/** The feeds a format publishes; Vélib has no vehicle_types.json. */
export function feedNames(format: FeedFormat): readonly FeedName[] {
  return format === 'velib'
    ? ['gbfs', 'system_information', 'station_information', 'station_status']
    : ['gbfs', 'system_information', 'vehicle_types', 'station_information', 'station_status'];
}

/** Renders one feed document for the model's current time; undefined if the format lacks it. */
export function renderFeed(
  model: VelibModel,
  name: FeedName,
  format: FeedFormat,
  baseUrl: string,
): string | undefined {
  if (format === 'velib') {
    switch (name) {
      case 'gbfs':
        return velibDiscovery(model, baseUrl);
      case 'system_information':
        return velibSystemInformation(model);
      case 'station_information':
        return velibStationInformation(model);
      case 'station_status':
        return velibStationStatus(model);
      default:
        return undefined;
    }
  }
  switch (name) {
    case 'gbfs':
      return gbfsDiscovery(model, baseUrl);
    case 'system_information':
      return gbfsSystemInformation(model);
    case 'vehicle_types':
      return gbfsVehicleTypes(model);
    case 'station_information':
      return gbfsStationInformation(model);
    case 'station_status':
      return gbfsStationStatus(model);
  }
}
