/**
 * @module security/sign-core
 * Types for `sign-core.mjs` (plain JavaScript so the Node CLI can import it with
 * no build step). See that file and docs/security.md for the scheme.
 */

export declare const SIG_PARAM: 'sig';
export declare const EXPIRES_PARAM: 'expires';

/** Raw path, plus '?' and the remaining query components when any remain. */
export declare function buildCanonicalString(url: URL): string;

/** base64url without padding (RFC 4648 §5). */
export declare function encodeBase64url(bytes: Uint8Array): string;

/** Comma-separated keys, trimmed, empties dropped. The first signs; any verifies. */
export declare function parseSigningKeys(secret: string | undefined | null): string[];

/** base64url-nopad(HMAC-SHA256(utf8(key), utf8(canonical))). */
export declare function computeSignature(canonical: string, key: string): Promise<string>;

/** Appends expires (when given) then sig; keeps the absolute or root-relative form. */
export declare function signUrl(url: string, key: string, opts?: { expires?: number }): Promise<string>;

export type SignatureVerdict = 'ok' | 'missing' | 'invalid' | 'expired';

/** Verifies sig with any of the keys, then the expiry. Never throws for bad input. */
export declare function checkSignature(url: URL, keys: string[], nowSeconds: number): Promise<SignatureVerdict>;
