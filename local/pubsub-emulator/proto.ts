import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** The `google.pubsub.v1` protos ship with the official client; their `google/*` imports with google-gax. */
function protoRoots(): { pubsubProto: string; includeDirs: string[] } {
  const pubsubRoot = dirname(require.resolve('@google-cloud/pubsub/package.json'));
  const clientRequire = createRequire(join(pubsubRoot, 'package.json'));
  // google-gax does not export package.json; its entry point is build/src/index.js.
  const gaxRoot = join(dirname(clientRequire.resolve('google-gax')), '..', '..');
  return {
    pubsubProto: 'google/pubsub/v1/pubsub.proto',
    includeDirs: [join(pubsubRoot, 'build', 'protos'), join(gaxRoot, 'build', 'protos')],
  };
}

let cachedRoot: protobuf.Root | undefined;

/**
 * The same protos as a protobufjs Root, for what proto-loader's definitions do not carry: the
 * message types (REST converts JSON through them) and each method's `google.api.http` rule. It also
 * holds `google.rpc.ErrorInfo`, so REST errors can render the details gRPC sends in binary.
 */
export function loadPubSubRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const { pubsubProto, includeDirs } = protoRoots();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    includeDirs.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target;
  root.loadSync([pubsubProto, 'google/rpc/status.proto', 'google/rpc/error_details.proto']);
  root.resolveAll();
  cachedRoot = root;
  return root;
}

/**
 * camelCase field names (what the Node client writes; the wire is binary either way), 64-bit ints as
 * numbers, enums as names, no defaults filled in, so a missing field reads as `undefined`.
 */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

export interface PubSubServices {
  readonly publisher: grpc.ServiceDefinition;
  readonly subscriber: grpc.ServiceDefinition;
}

let cached: PubSubServices | undefined;

export function loadPubSubServices(): PubSubServices {
  if (cached) return cached;
  const { pubsubProto, includeDirs } = protoRoots();
  const definition = protoLoader.loadSync(pubsubProto, { ...LOADER_OPTIONS, includeDirs });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    google: {
      pubsub: {
        v1: Record<string, { service: grpc.ServiceDefinition }>;
      };
    };
  };
  const v1 = pkg.google.pubsub.v1;
  cached = { publisher: v1.Publisher!.service, subscriber: v1.Subscriber!.service };
  return cached;
}
