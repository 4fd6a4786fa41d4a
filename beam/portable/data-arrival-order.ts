import { MultiplexingDataChannel, type IDataChannel } from 'apache-beam/worker/data';

/*
 * A fix for the TypeScript SDK's worker (2.49, the last npm release): its data channel handles each
 * gRPC message of the Fn API data stream in an `async` listener that nothing awaits. A bundle's
 * input is a source consumer that yields to the event loop every 100 ms; when the runner sends the
 * bundle's elements in one message and its end (`is_last`) in the next, the second listener closes
 * the consumer while the first is still feeding elements to it. The worker then finishes the
 * bundle (finishBundle on every DoFn) and reports it done to the runner while elements of that
 * bundle are still being processed: on Flink, a whole snapshot spooled after the sink's
 * finishBundle was never loaded, and its Pub/Sub message was acked at the next checkpoint. Runs
 * slow enough to yield (a loaded machine) hit it; see beam/portable/data-arrival-order.test.ts.
 * Here every consumer the channel registers takes its calls one after another, in arrival order.
 */

const ALREADY_APPLIED = Symbol.for('paris-mobility-pulse/beam/data-arrival-order');

/** `consumer`, with each call starting only once the previous one has settled. */
export function inArrivalOrder(consumer: IDataChannel): IDataChannel {
  let previous: Promise<void> = Promise.resolve();
  const next = (step: () => void | Promise<void>): Promise<void> => {
    const run = previous.then(step);
    // A refused step still lets the later ones run: the channel reports it through onError.
    previous = run.catch(() => undefined);
    return run;
  };
  return {
    sendData: (data) => next(() => consumer.sendData(data)),
    sendTimers: (family, timers) => next(() => consumer.sendTimers(family, timers)),
    close: () =>
      void next(() => consumer.close()).catch((error: unknown) => consumer.onError(error)),
    onError: (error) => void next(() => consumer.onError(error)).catch(() => undefined),
  };
}

/** Makes every data channel of this process's SDK workers deliver in arrival order (idempotent). */
function deliverWorkerDataInArrivalOrder(): void {
  const prototype = MultiplexingDataChannel.prototype as MultiplexingDataChannel & {
    [ALREADY_APPLIED]?: true;
  };
  if (prototype[ALREADY_APPLIED]) return;
  const register = prototype.registerConsumer;
  prototype.registerConsumer = function (bundleId, transformId, consumer) {
    return register.call(this, bundleId, transformId, inArrivalOrder(consumer));
  };
  prototype[ALREADY_APPLIED] = true;
}

deliverWorkerDataInArrivalOrder();
