import * as grpc from '@grpc/grpc-js';
import { decodePublishRequest } from './handlers/publish-codec.js';
import { publisherHandlers } from './handlers/publisher.js';
import { subscriberHandlers } from './handlers/subscriber.js';
import { LIMITS } from './limits.js';
import { loadPubSubServices } from './proto.js';
import type { Broker } from './storage/broker.js';

/** Publish requests are decoded by hand (hot path), recording their wire size for the 10 MB limit. */
function fastPublish(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return {
    ...service,
    Publish: { ...service.Publish!, requestDeserialize: decodePublishRequest },
  };
}

/** Responses the handlers already encoded (hot delivery path) pass through untouched. */
function preEncodedResponses(
  service: grpc.ServiceDefinition,
  methods: string[],
): grpc.ServiceDefinition {
  const entries = Object.entries(service).map(([name, method]) => [
    name,
    methods.includes(name)
      ? {
          ...method,
          responseSerialize: (value: unknown) =>
            Buffer.isBuffer(value) ? value : method.responseSerialize(value),
        }
      : method,
  ]);
  return Object.fromEntries(entries) as grpc.ServiceDefinition;
}

/** A service's method definitions (with the hand-written codecs) and the handlers that serve them. */
export interface WiredService {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

export interface PubSubServiceSet {
  readonly publisher: WiredService;
  readonly subscriber: WiredService;
}

/**
 * The Publisher and Subscriber services bound to one broker. gRPC serves them, and REST calls the
 * very same definitions and handlers, so both surfaces share every rule.
 */
export function wirePubSubServices(broker: Broker): PubSubServiceSet {
  const services = loadPubSubServices();
  return {
    publisher: {
      definition: preEncodedResponses(fastPublish(services.publisher), ['Publish']),
      implementation: publisherHandlers(broker),
    },
    subscriber: {
      definition: preEncodedResponses(services.subscriber, ['Pull', 'StreamingPull']),
      implementation: subscriberHandlers(broker),
    },
  };
}

/** Wires the two gRPC services onto one server; the broker owns all state. */
export function createGrpcServer(
  broker: Broker,
  services: PubSubServiceSet = wirePubSubServices(broker),
): grpc.Server {
  const server = new grpc.Server({
    // Accept oversize publishes so they get the service's own INVALID_ARGUMENT, not a transport error.
    'grpc.max_receive_message_length': LIMITS.maxPublishRequestBytes * 2,
    'grpc.max_send_message_length': -1,
  });
  for (const { definition, implementation } of [services.publisher, services.subscriber]) {
    server.addService(definition, implementation);
  }
  return server;
}

export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}
