import type { Middleware } from 'koa';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { RequestState } from './request-context.js';

/** Google's OIDC signing keys: what Pub/Sub push and Cloud Scheduler tokens are signed with. */
export const GOOGLE_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

export interface PushAuthOptions {
  /** The audience the token must carry (the push endpoint URL); unset means auth is off. */
  readonly audience?: string;
  /** Where the signing keys come from. @default GOOGLE_JWKS_URL */
  readonly jwksUrl?: string;
  /** Accepted issuers. @default Google's two issuer spellings when jwksUrl is Google's, else any */
  readonly issuers?: readonly string[];
}

/** Claims of a verified push token, kept in `ctx.state.pushToken` for logging. */
export type PushTokenClaims = JWTPayload & { email?: string };

/**
 * Requires `Authorization: Bearer <OIDC token>` signed by the JWKS and issued for `audience` when
 * an audience is configured; answers 401 otherwise. Keys are fetched lazily and cached by jose.
 */
export function pushAuth(options: PushAuthOptions): Middleware {
  const audience = options.audience?.trim();
  if (!audience) return async (_ctx, next) => next();
  const jwksUrl = options.jwksUrl?.trim() || GOOGLE_JWKS_URL;
  const issuers = options.issuers ?? (jwksUrl === GOOGLE_JWKS_URL ? GOOGLE_ISSUERS : undefined);
  const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(jwksUrl));
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    const token = match?.[1];
    if (!token) {
      return ctx.throw(401, 'missing bearer token', { headers: CHALLENGE });
    }
    let claims: PushTokenClaims;
    try {
      const verified = await jwtVerify(token, keys, {
        audience,
        ...(issuers ? { issuer: [...issuers] } : {}),
      });
      claims = verified.payload as PushTokenClaims;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return ctx.throw(401, `invalid bearer token: ${reason}`, { headers: CHALLENGE });
    }
    (ctx.state as RequestState & { pushToken?: PushTokenClaims }).pushToken = claims;
    await next();
  };
}
