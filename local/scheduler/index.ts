export * from './clock.js';
export * from './http-invoker.js';
export * from './jobs.js';
export * from './scheduler.js';
