import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';

export const OIDC_ISSUER = 'https://accounts.google.com';

export interface IdTokenRequest {
  /** `aud`: for push, the configured audience or else the endpoint URL. */
  readonly audience: string;
  /** `email` of the service account the token stands for. */
  readonly email: string;
  /** @default 3600 */
  readonly lifetimeSeconds?: number;
}

/**
 * Google-style ID tokens signed by a local RSA key: `iss` accounts.google.com, `aud`, `email`,
 * `email_verified`, `sub`, `iat`, `exp`. The public half is served as JWKS so services verify tokens
 * exactly as they verify Google's. With a data dir the key is kept there, so tokens survive restarts.
 */
export class OidcSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  static async create(dataDir?: string): Promise<OidcSigner> {
    const file = dataDir ? join(dataDir, 'oidc-key.jwk.json') : undefined;
    if (file && existsSync(file)) {
      const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
      return OidcSigner.fromPrivateJwk(jwk);
    }
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    if (file && dataDir) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    return OidcSigner.fromPrivateJwk(jwk);
  }

  private static async fromPrivateJwk(jwk: JWK): Promise<OidcSigner> {
    const kid = createHash('sha256')
      .update(jwk.n ?? '')
      .digest('hex')
      .slice(0, 16);
    const privateKey = (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256')) as CryptoKey;
    const publicJwk: JWK = { kty: jwk.kty!, n: jwk.n!, e: jwk.e!, kid, alg: 'RS256', use: 'sig' };
    return new OidcSigner(privateKey, publicJwk);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  async mint(request: IdTokenRequest): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const subject = createHash('sha256').update(request.email).digest('hex').slice(0, 21);
    return new SignJWT({ email: request.email, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid!, typ: 'JWT' })
      .setIssuer(OIDC_ISSUER)
      .setAudience(request.audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + (request.lifetimeSeconds ?? 3600))
      .sign(this.privateKey);
  }
}
