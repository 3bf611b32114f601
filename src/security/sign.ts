/**
 * @module security/sign
 * Signed URLs for the Worker. When SIGNING_KEYS is set, every request must carry
 * `sig` = base64url-nopad(HMAC-SHA256(key, canonical string)) (RFC 2104 HMAC,
 * RFC 4648 §5 base64url), where the canonical string is the raw request path
 * plus the query without `sig`, order and encoding kept. `expires` (Unix
 * seconds), when present, is covered and enforced.
 *
 * The scheme itself lives in `sign-core.mjs` (plain JS, shared with the Node
 * CLI `bin/thumbflare.mjs`); this module adds the HTTP-facing errors.
 */
import { badSignature } from '../errors';
import { checkSignature } from './sign-core.mjs';

export {
  SIG_PARAM,
  EXPIRES_PARAM,
  buildCanonicalString,
  computeSignature,
  parseSigningKeys,
  signUrl,
} from './sign-core.mjs';
export type { SignatureVerdict } from './sign-core.mjs';

const MESSAGES = {
  missing: 'missing signature',
  invalid: 'invalid signature',
  expired: 'signature expired',
} as const;

/**
 * Throws `badSignature` (403, code bad_signature, param sig) unless `url`
 * carries a valid signature by one of `keys` that has not expired at
 * `nowSeconds`. The message says which check failed: 'missing signature',
 * 'invalid signature' or 'signature expired'. With no keys it always throws
 * (fail closed): call it only when signing is configured, i.e. when
 * `parseSigningKeys(env.SIGNING_KEYS).length > 0`.
 *
 * Pass the request URL as the Worker received it (`new URL(request.url)`):
 * for `/cdn-cgi/image/<options>/<source>` the path is signed as-is, raw.
 */
export async function verifySignature(url: URL, keys: string[], nowSeconds: number): Promise<void> {
  const verdict = await checkSignature(url, keys, nowSeconds);
  if (verdict !== 'ok') throw badSignature(MESSAGES[verdict]);
}
