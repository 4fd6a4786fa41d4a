import '../beam-sdk.js';
// Before any worker runs here: the SDK's data channel otherwise finishes bundles early.
import './data-arrival-order.js';
import * as grpc from '@grpc/grpc-js';
import {
  beamFnExternalWorkerPoolDefinition,
  type IBeamFnExternalWorkerPool,
} from 'apache-beam/proto/beam_fn_api.grpc-server';
import { Worker } from 'apache-beam/worker/worker';

/**
 * TypeScript SDK workers for a runner's EXTERNAL environment, served from this process as the
 * SDK's LOOPBACK pool serves them, except that this pool can end its workers itself. Why: a
 * streaming job cancelled on the Flink job server never gets StopWorker calls, so each worker of
 * the SDK's pool keeps its control stream open until the job server exits, and that stream's
 * UNAVAILABLE then has no listener: an uncaught error in the process that ran the job. Here every
 * worker's control stream has a listener, and `stop()` half-closes them as StopWorker would.
 */
export class OwnedWorkerPool {
  private readonly workers = new Map<string, Worker>();
  private readonly server = new grpc.Server();
  private stopping = false;

  /** @param onWorkerError a worker's control stream failed while the pool was serving. */
  constructor(private readonly onWorkerError: (error: Error) => void) {}

  /** Listens on a free loopback port; resolves to the `host:port` the runner's environment needs. */
  start(): Promise<string> {
    const service: IBeamFnExternalWorkerPool = {
      startWorker: (call, callback) => {
        const { workerId, controlEndpoint } = call.request;
        const worker = new Worker(workerId, { controlUrl: controlEndpoint?.url ?? '' }, {});
        worker.controlChannel.on('error', (error: Error) => {
          if (!this.stopping) this.onWorkerError(error);
        });
        this.workers.set(workerId, worker);
        callback(null, { error: '' });
      },
      stopWorker: (call, callback) => {
        this.workers.get(call.request.workerId)?.stop();
        this.workers.delete(call.request.workerId);
        callback(null, { error: '' });
      },
    };
    this.server.addService(beamFnExternalWorkerPoolDefinition, service);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(
        '127.0.0.1:0',
        grpc.ServerCredentials.createInsecure(),
        (error, port) => (error ? reject(error) : resolve(`127.0.0.1:${port}`)),
      );
    });
  }

  /** Ends every worker's control stream, then stops serving. Call it before the job server exits. */
  stop(): void {
    this.stopping = true;
    for (const worker of this.workers.values()) worker.stop();
    this.workers.clear();
    this.server.forceShutdown();
  }
}
