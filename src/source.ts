/**
 * @module source
 * Resolves what a request names as its source into a SourceRef. Pure. The path
 * form and root-relative `url=` go to the R2 bucket (when bound, falling back to
 * ORIGIN), else to ORIGIN, else to the bundled samples; absolute URLs go to the
 * remote origin, which the source policy checks when it is fetched.
 */
import { invalidUrl, notAllowed } from './errors';
import type { SourceRef } from './origin';

export interface SourceSettings {
  origin?: string;
  hasBucket: boolean;
}

/**
 * Resolves `/path` or `https://...` to where its bytes live. `bust` (`?v=3`, the
 * path form's cache-buster parameters) is appended to a path's origin URL and kept
 * on bucket and sample refs, so a new value is a new source in every cache key.
 */
export function resolveSource(raw: string, settings: SourceSettings, bust = ''): SourceRef {
  if (raw === '' || raw === '/') throw invalidUrl('no source image was given');
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalidUrl('url is not a valid absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw notAllowed(`only http and https sources are fetched, not ${url.protocol.slice(0, 20)}`);
    }
    return { kind: 'url', url };
  }
  if (!raw.startsWith('/') || raw.startsWith('//')) throw invalidUrl('url must be an absolute URL or a path starting with /');
  // Normalise dot segments so "/samples/../x" cannot step outside ORIGIN's path.
  const path = new URL(raw, 'https://path.invalid').pathname;
  const originUrl = settings.origin ? new URL(settings.origin + path + bust) : undefined;
  if (settings.hasBucket) return { kind: 'r2', key: decodeURIComponent(path.slice(1)), fallback: originUrl, ...(bust ? { bust } : {}) };
  if (originUrl) return { kind: 'url', url: originUrl };
  return { kind: 'sample', path, ...(bust ? { bust } : {}) };
}

/** Identifies a source in cache keys and cache tags, independent of the transform. */
export function describeSource(ref: SourceRef): string {
  switch (ref.kind) {
    case 'url':
      return ref.url.href;
    case 'sample':
      return `sample:${ref.path}${ref.bust ?? ''}`;
    case 'r2':
      return `r2:${ref.key}${ref.bust ?? ''}`;
  }
}

/** The basename a download of the transformed image gets, without extension. */
export function baseNameOf(ref: SourceRef): string {
  const path = ref.kind === 'url' ? ref.url.pathname : ref.kind === 'sample' ? ref.path : ref.key;
  let name = path.split('/').pop() ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    /* keep the raw segment */
  }
  name = name.replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  return name || 'image';
}
