/**
 * @module security/imgproxy-sign
 * imgproxy's URL signature (docs.imgproxy.net/usage/signing_url): URL-safe base64,
 * without padding, of HMAC-SHA256(key, salt + path), where key and salt are the
 * hex-decoded IMGPROXY_KEY / IMGPROXY_SALT and `path` is everything after the
 * signature segment, leading `/` included, exactly as sent. IMGPROXY_SIGNATURE_SIZE
 * keeps only the first N bytes of the digest before encoding. Several key/salt
 * pairs may be configured (comma lists); a URL signed by any of them is accepted.
 *
 * Synchronous on purpose (node:crypto under `nodejs_compat`): the dialect parser
 * that calls it is a pure function of the URL and the config.
 */
import { createHmac } from 'node:crypto';

export interface ImgproxyKeyPair {
  key: Uint8Array;
  salt: Uint8Array;
}

function base64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The signature imgproxy expects for `path` (which starts with `/`), truncated to `size` bytes. */
export function imgproxySignature(pair: ImgproxyKeyPair, path: string, size = 32): string {
  const mac = createHmac('sha256', pair.key);
  mac.update(pair.salt);
  mac.update(path);
  return base64Url(new Uint8Array(mac.digest()).subarray(0, size));
}

/** Compares in time independent of where the strings first differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** True when `signature` signs `path` under one of the pairs. */
export function checkImgproxySignature(signature: string, path: string, pairs: readonly ImgproxyKeyPair[], size: number): boolean {
  let ok = false;
  for (const pair of pairs) ok = sameText(signature, imgproxySignature(pair, path, size)) || ok;
  return ok;
}
