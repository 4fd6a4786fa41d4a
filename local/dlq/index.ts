export * from './drill.js';
export * from './format.js';
export * from './inventory.js';
export * from './names.js';
export * from './records.js';
export * from './target.js';
