import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { loadPubSubServices } from '../proto.js';
import { decodePublishRequest, encodePublishResponse } from './publish-codec.js';

const publish = loadPubSubServices().publisher.Publish!;

/** The generic codec's view of the same bytes, in the fields the Publish handler reads. */
function generic(bytes: Buffer) {
  const request = publish.requestDeserialize(bytes) as {
    topic?: string;
    messages?: Array<{ data?: Buffer; attributes?: Record<string, string>; orderingKey?: string }>;
  };
  return {
    topic: request.topic,
    messages: request.messages?.map((m) => ({
      data: m.data,
      attributes: m.attributes,
      orderingKey: m.orderingKey,
    })),
  };
}

function ours(bytes: Buffer) {
  const request = decodePublishRequest(bytes);
  return {
    topic: request.topic,
    messages: request.messages?.map((m) => ({
      data: m.data,
      attributes: m.attributes ? { ...m.attributes } : undefined,
      orderingKey: m.orderingKey,
    })),
  };
}

describe('decodePublishRequest', () => {
  it('reads what the generic codec reads, with the wire size', () => {
    const bytes = publish.requestSerialize({
      topic: 'projects/p/topics/t',
      messages: [
        { data: Buffer.from('plain') },
        { data: Buffer.alloc(300, 'x'), attributes: { a: '1', é: 'ü' } },
        { attributes: { only: 'attributes' }, orderingKey: 'clé' },
        { data: Buffer.from('ids are ours'), messageId: '99', publishTime: { seconds: 5 } },
        {},
      ],
    }) as Buffer;
    expect(ours(bytes)).toEqual(generic(bytes));
    expect(decodePublishRequest(bytes).__wireBytes).toBe(bytes.length);
    // `__proto__` is an ordinary attribute key (the generic codec loses it).
    const proto = publish.requestSerialize({
      topic: 'projects/p/topics/t',
      messages: [{ attributes: { ['__proto__']: 'x' } }],
    }) as Buffer;
    expect(Object.entries(decodePublishRequest(proto).messages![0]!.attributes!)).toEqual([
      ['__proto__', 'x'],
    ]);
    // The payload is a view into the request, not a copy.
    expect(decodePublishRequest(bytes).messages![0]!.data!.buffer).toBe(bytes.buffer);
  });

  it('skips unknown fields at every level', () => {
    const message = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(Buffer.from('d'))
      .uint32((99 << 3) | 0)
      .uint64(123456789)
      .uint32((2 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string('k')
      .uint32((7 << 3) | 5)
      .fixed32(1)
      .uint32((2 << 3) | 2)
      .string('v')
      .ldelim()
      .finish();
    const bytes = Buffer.from(
      protobuf.Writer.create()
        .uint32((42 << 3) | 2)
        .string('future field')
        .uint32((1 << 3) | 2)
        .string('projects/p/topics/t')
        .uint32((2 << 3) | 2)
        .bytes(message)
        .finish(),
    );
    expect(ours(bytes)).toEqual(generic(bytes));
    expect(ours(bytes).messages).toEqual([
      { data: Buffer.from('d'), attributes: { k: 'v' }, orderingKey: undefined },
    ]);
  });

  it('throws on truncated or overrunning bytes instead of reading past them', () => {
    const bytes = publish.requestSerialize({
      topic: 'projects/p/topics/t',
      messages: [{ data: Buffer.from('payload') }],
    }) as Buffer;
    expect(() => decodePublishRequest(bytes.subarray(0, bytes.length - 3))).toThrow();
    // A message whose declared length ends inside a field.
    const overrun = Buffer.from([(2 << 3) | 2, 2, (1 << 3) | 2, 5, 0x61, 0x62, 0x63, 0x64, 0x65]);
    expect(() => decodePublishRequest(overrun)).toThrow();
  });

  it('encodes the PublishResponse the generic codec reads back', () => {
    const ids = [
      '1',
      '42',
      '9007199254740991',
      ...Array.from({ length: 1000 }, (_, i) => String(i)),
    ];
    const decoded = publish.responseDeserialize(encodePublishResponse(ids)) as {
      messageIds: string[];
    };
    expect(decoded.messageIds).toEqual(ids);
  });
});
