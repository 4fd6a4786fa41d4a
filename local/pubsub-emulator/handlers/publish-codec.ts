import protobuf from 'protobufjs';
import { lengthDelimitedSize, writeAscii, writeVarint } from './wire-write.js';

/** A PublishRequest as the Publish handler reads it. */
export interface PublishRequest {
  topic?: string;
  messages?: Array<{ data?: Buffer; attributes?: Record<string, string>; orderingKey?: string }>;
  /** The request's size on the wire, so the 10 MB limit is checked exactly. */
  __wireBytes?: number;
}

/**
 * Hand-written decoding of PublishRequest, the emulator's other hot path: straight into the shape
 * the handler validates, instead of proto-loader's message objects plus `toObject` copies for
 * each of up to 1,000 messages. `data` stays a view into the request bytes. Absent fields stay
 * absent, as with the generic codec (`defaults: false`); unknown fields are skipped; malformed bytes
 * throw, which gRPC answers with an error status. Field numbers: google/pubsub/v1/pubsub.proto;
 * `publish-codec.test.ts` compares the result with the generic codec.
 */
export function decodePublishRequest(bytes: Buffer): PublishRequest {
  const reader = protobuf.Reader.create(bytes);
  const request: PublishRequest = { __wireBytes: bytes.length };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag) {
      case (1 << 3) | 2:
        request.topic = reader.string();
        break;
      case (2 << 3) | 2:
        (request.messages ??= []).push(decodePubsubMessage(reader, reader.uint32()));
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return request;
}

function decodePubsubMessage(
  reader: protobuf.Reader,
  length: number,
): NonNullable<PublishRequest['messages']>[number] {
  const end = reader.pos + length;
  const message: NonNullable<PublishRequest['messages']>[number] = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case (1 << 3) | 2:
        message.data = reader.bytes() as Buffer;
        break;
      case (2 << 3) | 2: {
        const entryEnd = reader.uint32() + reader.pos;
        let key = '';
        let value = '';
        while (reader.pos < entryEnd) {
          const entryTag = reader.uint32();
          if (entryTag === ((1 << 3) | 2)) key = reader.string();
          else if (entryTag === ((2 << 3) | 2)) value = reader.string();
          else reader.skipType(entryTag & 7);
        }
        // Null prototype: `__proto__` is an ordinary attribute key here, as on the service.
        (message.attributes ??= Object.create(null) as Record<string, string>)[key] = value;
        break;
      }
      case (5 << 3) | 2:
        message.orderingKey = reader.string();
        break;
      default:
        // message_id and publish_time are the server's to set: read past them like unknown fields.
        reader.skipType(tag & 7);
    }
  }
  if (reader.pos !== end) throw new Error('PubsubMessage overruns its length');
  return message;
}

/**
 * PublishResponse (field 1: repeated message_ids) by hand: a 1,000-message publish answers with
 * 1,000 ids, which the generic codec copies into message objects before writing. Our ids are
 * decimal digits, so their length is their byte count.
 */
export function encodePublishResponse(messageIds: readonly string[]): Buffer {
  let total = 0;
  for (const id of messageIds) total += lengthDelimitedSize(id.length);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const id of messageIds) {
    buf[pos++] = (1 << 3) | 2;
    pos = writeVarint(buf, pos, id.length);
    pos = writeAscii(buf, pos, id);
  }
  return buf;
}
