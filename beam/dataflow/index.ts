// The Dataflow form of the job (Flex Template): Java PubsubIO in, the composite, BigQuery Storage
// Write out, and the launcher's parameters.
export * from './dataflow-pipeline.js';
export {
  FLEX_TEMPLATE_PARAMETERS,
  validateFlexTemplateParameters,
} from './flex-template-params.js';
export { GCP_IO_EXPANSION_TARGET, readPubsubMessageProtos } from './pubsub-read.js';
