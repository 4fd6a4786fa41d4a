import { status } from '@grpc/grpc-js';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { errors } from '../errors.js';
import { LIMITS } from '../limits.js';
import { HttpError } from './rest-errors.js';

/**
 * The request body as JSON: `{}` when empty (as Google's front end reads it), 400 for malformed
 * JSON, 413 past LIMITS.maxRestBodyBytes (read no further: the connection is not held open for it).
 */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit: LIMITS.maxRestBodyBytes });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new HttpError(
        413,
        status.INVALID_ARGUMENT,
        errors.requestTooLarge(LIMITS.maxRestBodyBytes).message,
        {
          connection: 'close',
        },
      );
    }
    throw error;
  }
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
