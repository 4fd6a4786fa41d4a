import { describe, expect, it } from 'vitest';
import { PermanentMessageError, decodeMessageText, parsePushBody } from './push-message.js';
import { pushBody } from '../testing/service-fixtures.js';

function errorTypeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof PermanentMessageError ? error.errorType : 'other';
  }
  return undefined;
}

describe('parsePushBody', () => {
  it('reads the push wrapper, including deliveryAttempt', () => {
    const message = parsePushBody(
      pushBody({ text: '{}', messageId: 'm1', attributes: { a: 'b' }, deliveryAttempt: 3 }),
    );
    expect(message).toMatchObject({
      messageId: 'm1',
      attributes: { a: 'b' },
      deliveryAttempt: 3,
      subscription: 'projects/test/subscriptions/test-sub',
      publishTime: '2026-01-01T00:00:00.123Z',
    });
  });

  it('accepts the snake_case spellings and a message without data', () => {
    const message = parsePushBody(
      JSON.stringify({ message: { message_id: 'm2', publish_time: '2026-01-01T00:00:00Z' } }),
    );
    expect(message).toMatchObject({ messageId: 'm2', dataBase64: '', attributes: {} });
  });

  it.each([
    ['not JSON', '{nope'],
    ['no message', '{"subscription":"s"}'],
    ['no message id', '{"message":{"data":""}}'],
    ['non-string attribute', '{"message":{"messageId":"m","attributes":{"a":1}}}'],
    ['a JSON array', '[]'],
  ])('refuses a body that is %s', (_label, body) => {
    expect(errorTypeOf(() => parsePushBody(body))).toBe('invalid_push_body');
  });
});

describe('decodeMessageText', () => {
  const decode = (dataBase64: string) => () =>
    decodeMessageText(parsePushBody(pushBody({ dataBase64 })));

  it('decodes base64 UTF-8 text', () => {
    expect(decode(Buffer.from('{"é":1}').toString('base64'))()).toBe('{"é":1}');
  });

  it.each([
    ['characters outside the alphabet', '***not base64***'],
    ['wrong padding', 'YWJj='],
    ['a truncated quantum', 'YWJjZ'],
    ['url-safe alphabet', 'a-_b'],
    ['embedded whitespace', 'YWJj\nZGVm'],
    ['missing padding', 'YWI'],
    ['non-canonical trailing bits', 'YR=='],
  ])('refuses %s as invalid_base64', (_label, data) => {
    expect(errorTypeOf(decode(data))).toBe('invalid_base64');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(errorTypeOf(decode(Buffer.from([0xff, 0xfe, 0x41]).toString('base64')))).toBe(
      'invalid_utf8',
    );
  });

  it('refuses an empty message', () => {
    expect(errorTypeOf(decode(''))).toBe('empty_message');
  });
});
