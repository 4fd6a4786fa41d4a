export * from './fields.js';
export * from './station-status.js';
export * from './station-information.js';
export * from './validate-feed.js';
