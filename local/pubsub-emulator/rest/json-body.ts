import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { status } from '@grpc/grpc-js';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { HttpError } from './rest-errors.js';

/**
 * The body as sent, inflated when compressed: Google's Java API clients gzip every request body by
 * default (`Content-Encoding: gzip`), Java's PubsubJsonClient among them.
 */
function decodedBody(ctx: Context): Readable {
  const encoding = (ctx.get('content-encoding') || 'identity').trim().toLowerCase();
  if (encoding === 'identity') return ctx.req;
  if (encoding === 'gzip' || encoding === 'x-gzip') return ctx.req.pipe(createGunzip());
  if (encoding === 'deflate') return ctx.req.pipe(createInflate());
  throw new HttpError(415, status.INVALID_ARGUMENT, `Unsupported Content-Encoding: ${encoding}.`);
}

async function readBytes(ctx: Context): Promise<Buffer> {
  try {
    // The limit counts inflated bytes, so a small compressed body cannot expand without bound.
    return await getRawBody(decodedBody(ctx), { limit: LIMITS.maxRestBodyBytes });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new HttpError(
        413,
        status.INVALID_ARGUMENT,
        errors.requestTooLarge(LIMITS.maxRestBodyBytes).message,
        // The rest of the body is not read: the connection cannot carry another request.
        { connection: 'close' },
      );
    }
    if (typeof (error as { errno?: unknown }).errno === 'number') {
      throw errors.invalid(
        `The request body could not be decompressed: ${(error as Error).message}.`,
      );
    }
    throw error;
  }
}

/**
 * The request body as JSON: `{}` when empty (as Google's front end reads it), 400 for malformed
 * JSON, 413 past LIMITS.maxRestBodyBytes.
 */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const raw = await readBytes(ctx);
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw errors.invalid(`Invalid JSON payload received. ${(error as Error).message}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.invalid('Invalid JSON payload received. Expected an object.');
  }
  return parsed as Record<string, unknown>;
}
