import { protos } from '@google-cloud/pubsub';
import type * as beam from 'apache-beam';
import { requireForSerialization } from 'apache-beam/serialization';
import { rawExternalTransform } from 'apache-beam/transforms/external';
import { withName, type AsyncPTransform } from 'apache-beam/transforms/transform';
import { serviceProviderFromJavaGradleTarget } from 'apache-beam/utils/service';
import type { CuratedMessage } from '../transform/curated-elements.js';
// Loaded wherever this DoFn is, Dataflow's workers included: the SDK's data channel otherwise
// finishes bundles early (see the module).
import '../portable/data-arrival-order.js';
// Before any expansion: the SDK otherwise names its copy of the expansion's jar before it is written.
import '../portable/whole-artifacts.js';

/** The Java transform that reads Pub/Sub for other SDKs (PubsubIO.ExternalRead). */
export const PUBSUB_READ_URN = 'beam:transform:org.apache.beam:pubsub_read:v1';

/**
 * The name the SDK resolves the GCP IO expansion service by, and the key of
 * `BEAM_SERVICE_OVERRIDES` that points it at a running service or a jar.
 */
export const GCP_IO_EXPANSION_TARGET =
  'sdks:java:io:google-cloud-platform:expansion-service:shadowJar';

export interface PubsubReadOptions {
  /** `projects/<project>/subscriptions/<name>` */
  readonly subscription: string;
  /** Attribute whose value PubsubIO deduplicates redeliveries on (Dataflow only). */
  readonly idLabel?: string;
}

/*
 * Why not the SDK's readFromPubSubWithAttributes: in 2.49 it sends the payload field
 * `needsAttributes`, and Java's ExternalRead.Configuration (2.49) has no such setter; it has
 * `setWithAttributes`. The real expansion service refuses the whole graph ("missing a setter
 * setNeedsAttributes"), which beam/dataflow-pipeline.real-expansion.test.ts shows. The payload
 * below is the one Java accepts, in the snake_case the expansion service maps onto setters.
 */
/**
 * Pub/Sub messages from `subscription` through Java's PubsubIO, as the serialized
 * google.pubsub.v1.PubsubMessage protos that ExternalRead emits with attributes on.
 */
export function readPubsubMessageProtos(
  options: PubsubReadOptions,
): AsyncPTransform<beam.Root, beam.PCollection<Uint8Array>> {
  return withName(
    'read_pubsub',
    rawExternalTransform<beam.Root, beam.PCollection<Uint8Array>>(
      PUBSUB_READ_URN,
      {
        subscription: options.subscription,
        with_attributes: true,
        ...(options.idLabel ? { id_label: options.idLabel } : {}),
      },
      serviceProviderFromJavaGradleTarget(GCP_IO_EXPANSION_TARGET),
    ),
  );
}

/**
 * A serialized PubsubMessage → the composite's input element. Bytes that are no PubsubMessage
 * (never seen from PubsubIO, but possible in principle) are passed on as the message body, so
 * `parse_normalize` refuses them into the DLQ with the raw bytes instead of failing the bundle.
 */
export class PubsubMessageProtoToCuratedMessageDoFn {
  readonly beamName = 'pubsub_message';

  process(encoded: Uint8Array): CuratedMessage[] {
    let message: protos.google.pubsub.v1.PubsubMessage;
    try {
      message = protos.google.pubsub.v1.PubsubMessage.decode(encoded);
    } catch (error) {
      return [
        {
          data: encoded,
          attributes: { pmp_decode_error: (error as Error).message },
        },
      ];
    }
    const attributes = message.attributes ?? {};
    return [
      {
        data: message.data ?? new Uint8Array(),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        ...(Object.keys(attributes).length > 0 ? { attributes: { ...attributes } } : {}),
      },
    ];
  }
}

requireForSerialization('paris-mobility-pulse/beam/dataflow/pubsub-read.ts', {
  PubsubMessageProtoToCuratedMessageDoFn,
});
