export * from './desired.js';
export * from './plan.js';
export * from './reconcile.js';
export * from './service-urls.js';
export * from './watch.js';
export { schemaChange, viewsInDependencyOrder } from './bigquery.js';
