export * from './crd-schemas.js';
export * from './policies.js';
export * from './problem.js';
export * from './references.js';
export * from './validate.js';
