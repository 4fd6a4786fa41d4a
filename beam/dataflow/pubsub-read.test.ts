import { protos } from '@google-cloud/pubsub';
import { describe, expect, it } from 'vitest';
import { PubsubMessageProtoToCuratedMessageDoFn } from './pubsub-read.js';

const decode = (bytes: Uint8Array) => new PubsubMessageProtoToCuratedMessageDoFn().process(bytes);

describe('PubsubMessage protos from Java PubsubIO → curated messages', () => {
  it('keeps the body, the attributes and the message id', () => {
    const encoded = protos.google.pubsub.v1.PubsubMessage.encode({
      data: Buffer.from('{"a":1}'),
      attributes: { source: 'velib' },
      messageId: '42',
    }).finish();
    const [message] = decode(encoded);
    expect(Buffer.from(message!.data).toString('utf8')).toBe('{"a":1}');
    expect(message!.attributes).toEqual({ source: 'velib' });
    expect(message!.messageId).toBe('42');
  });

  it('leaves out what the message does not carry (2.49 sends no message id)', () => {
    const encoded = protos.google.pubsub.v1.PubsubMessage.encode({
      data: Buffer.from('x'),
    }).finish();
    const [message] = decode(encoded);
    expect(message).toEqual({ data: expect.any(Uint8Array) });
  });

  it('passes bytes that are no PubsubMessage on as the body, marked, for parse_normalize to dead-letter', () => {
    const garbage = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const [message] = decode(garbage);
    expect(message!.data).toBe(garbage);
    expect(message!.attributes?.pmp_decode_error).toMatch(/./);
  });
});
