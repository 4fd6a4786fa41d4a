export * from './schema.js';
export * from './tables.js';
export * from './insert-all-row.js';
