/**
 * @module cache
 * Keys for transformed results in the edge Cache API. The Cache API ignores
 * `Vary`, so everything that changes the bytes is in the key: the source, the
 * canonical options and the format token (an explicit format, the source's
 * default, or for format=auto which of AVIF/WebP the client accepts).
 */
import type { FormatOption } from './options/types';
import { acceptedModernFormats } from './negotiate';

/** What of Accept matters for format=auto; computed before the source is fetched. */
export function formatToken(requested: FormatOption | undefined, accept: string | null): string {
  if (requested !== 'auto') return requested ?? 'default';
  const { avif, webp } = acceptedModernFormats(accept);
  return `auto-${avif ? 'avif' : ''}${webp ? 'webp' : ''}`;
}

export function resultCacheKey(sourceId: string, canonicalOptions: string, token: string): Request {
  const key = new URL('https://thumbflare.results.invalid/v1');
  key.searchParams.set('src', sourceId);
  key.searchParams.set('opt', canonicalOptions);
  key.searchParams.set('fmt', token);
  return new Request(key.href, { method: 'GET' });
}

/** SHA-256 of the bytes, base64url (RFC 4648 §5), for ETags and cache tags. */
export async function digestBytes(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** SHA-256 of short strings joined unambiguously. */
export function hashStrings(...parts: string[]): Promise<string> {
  return digestBytes(new TextEncoder().encode(JSON.stringify(parts)));
}

/** The Cache-Tag of a source: one per source, shared by its variants, its cached bytes and its variant-tier prefix. */
export async function sourceCacheTag(sourceId: string): Promise<string> {
  return `tf-${(await hashStrings(sourceId)).slice(0, 22)}`;
}
