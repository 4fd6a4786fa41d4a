// `pmp curate --input --output --dlq`: envelopes from a file, rows and DLQ records to NDJSON files.
export * from './file-mode.js';
export {
  figuresFromCounters,
  figuresFromFiles,
  type FileModeFigures,
} from './file-mode-figures.js';
export { LineWriter, countEnvelopeLines } from './ndjson-io.js';
