import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** 20 MiB: a 10 MB Pub/Sub message grows by a third in base64, plus the push wrapper. */
export const PUSH_BODY_LIMIT_BYTES = 20 * 1024 * 1024;

/**
 * Reads the request body as UTF-8 text, refusing (413) anything over `limitBytes` before it is
 * buffered, so a huge or endless body cannot exhaust memory.
 */
export async function readTextBody(ctx: Context, limitBytes: number): Promise<string> {
  const declared = ctx.request.length;
  try {
    return await getRawBody(ctx.req, {
      limit: limitBytes,
      length: Number.isFinite(declared) ? declared : undefined,
      encoding: 'utf8',
    });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      ctx.throw(413, `request body exceeds ${limitBytes} bytes`);
    }
    if (type === 'request.size.invalid' || type === 'request.aborted') {
      ctx.throw(400, 'request body was cut short');
    }
    throw error;
  }
}
