export * from './replay.js';
export * from './landed-snapshots.js';
export * from './opendata-files.js';
export * from './replay-recording.js';
export * from './replay-summary.js';
