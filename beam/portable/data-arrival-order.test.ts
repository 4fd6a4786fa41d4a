import * as grpc from '@grpc/grpc-js';
import type { Elements } from 'apache-beam/proto/beam_fn_api';
import { beamFnDataDefinition, type IBeamFnData } from 'apache-beam/proto/beam_fn_api.grpc-server';
import { MultiplexingDataChannel } from 'apache-beam/worker/data';
import { afterEach, describe, expect, it } from 'vitest';
import { inArrivalOrder } from './data-arrival-order.js';

/*
 * The SDK worker's data channel against a real gRPC Fn API data server that sends a bundle's
 * elements in one message and its end in the next, as Beam's Java runners do. The consumer yields
 * while it handles the elements, as the SDK's source operator does every 100 ms.
 */

const BUNDLE = 'bundle-1';
const TRANSFORM = 'source';

function elements(data: Uint8Array, isLast: boolean): Elements {
  return { data: [{ instructionId: BUNDLE, transformId: TRANSFORM, data, isLast }], timers: [] };
}

async function serveOneBundle(): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  const service: IBeamFnData = {
    data: (call) => {
      call.write(elements(new Uint8Array([1, 2, 3]), false));
      call.write(elements(new Uint8Array(), true));
    },
  };
  server.addService(beamFnDataDefinition, service);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

describe('the SDK worker data channel, once data-arrival-order is loaded', () => {
  let server: grpc.Server | undefined;
  let channel: MultiplexingDataChannel | undefined;
  afterEach(() => {
    channel?.close();
    server?.forceShutdown();
  });

  it('closes a bundle input only after the elements before its end were handled', async () => {
    const served = await serveOneBundle();
    server = served.server;
    const events: string[] = [];
    const closed = new Promise<void>((resolve) => {
      channel = new MultiplexingDataChannel(served.address, 'worker-1');
      void channel.registerConsumer(BUNDLE, TRANSFORM, {
        sendData: async (data) => {
          events.push(`start ${data.length}`);
          await new Promise((r) => setTimeout(r, 100));
          events.push(`end ${data.length}`);
        },
        sendTimers: () => Promise.resolve(),
        close: () => {
          events.push('close');
          resolve();
        },
        onError: (error) => events.push(`error ${String(error)}`),
      });
    });
    await closed;
    expect(events).toEqual(['start 3', 'end 3', 'start 0', 'end 0', 'close']);
  });
});

describe('inArrivalOrder', () => {
  it('runs the calls after a refused one, and the channel hears of the refusal', async () => {
    const events: string[] = [];
    const consumer = inArrivalOrder({
      sendData: async (data) => {
        await new Promise((r) => setTimeout(r, 10));
        if (data[0] === 0) throw new Error('bad element');
        events.push(`data ${data[0]}`);
      },
      sendTimers: () => Promise.resolve(),
      close: () => events.push('close'),
      onError: (error) => events.push(`error ${(error as Error).message}`),
    });
    await expect(consumer.sendData(new Uint8Array([0]))).rejects.toThrow('bad element');
    const second = consumer.sendData(new Uint8Array([7]));
    consumer.close();
    await second;
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toEqual(['data 7', 'close']);
  });
});
