// The Vélib' feed simulator: a steppable model of the network, its feed documents in Vélib's shape
// or GBFS 2.3, an HTTP server for them, and a recorder that writes a history to disk.
export { SIMULATION } from './defaults.js';
export {
  exportHistory,
  snapshotFileName,
  type ExportOptions,
  type ExportResult,
} from './export.js';
export { FEED_FORMATS, feedNames, renderFeed, type FeedFormat, type FeedName } from './feeds.js';
export {
  VelibModel,
  type ModelCounters,
  type ModelOptions,
  type ModelTotals,
  type StationState,
} from './model.js';
export {
  parseFormat,
  parseInterval,
  parsePort,
  parseSeed,
  parseSpeed,
  parseTime,
} from './options.js';
export { startSimulator, type RunningSimulator, type SimulatorOptions } from './server.js';
export {
  DEFAULT_STATIONS_FILE,
  loadStationList,
  parseStationList,
  type StationInfo,
  type StationList,
} from './station-list.js';
