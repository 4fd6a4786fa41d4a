// The curated composite every runner shares: its DoFns, element types, counters and row encoding.
export * from './curated-transform.js';
export * from './curated-elements.js';
export { stationRowLines, writeStationRowLines, type LineSink } from './station-row-json.js';
