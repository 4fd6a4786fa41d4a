export * from './read-manifests.js';
