export { runQuality, type QualityOptions, type QualityOutcome } from './quality.js';
export { formatQualityRun } from './format.js';
