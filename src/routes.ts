/**
 * @module routes
 * The dialect dispatcher: picks which URL grammar a request is in and hands it to
 * that dialect's module (src/url/). Every dialect is served at the root of the
 * hostname, so a deployment replacing Thumbor or imgproxy keeps its URLs unchanged.
 * `DIALECTS` says which are on; they are tried in the order of DIALECT_MODULES
 * (most specific grammar first; Cloudflare's path form, which takes any path, last).
 */
import { invalidUrl } from './errors';
import type { Dialect, DialectContext, DialectResult } from './url/dialect';
import { cloudflareDialect } from './url/cloudflare';
import { imgproxyDialect } from './url/imgproxy';
import { thumborDialect } from './url/thumbor';

export type { ParsedRequest, DialectResult } from './url/dialect';
export { CDN_CGI_PREFIX, parseRequestUrl } from './url/cloudflare';

/** Every dialect Thumbflare speaks, most specific first. Adding one is one line here. */
export const DIALECT_MODULES: readonly Dialect[] = [thumborDialect, imgproxyDialect, cloudflareDialect];

export const DIALECT_NAMES: readonly string[] = DIALECT_MODULES.map((d) => d.name);

/** Maps a request URL onto the engine through the first enabled dialect that claims it. */
export async function dispatchRequest(url: URL, ctx: DialectContext): Promise<DialectResult> {
  const enabled = DIALECT_MODULES.filter((d) => ctx.config.dialects.includes(d.name));
  const only = enabled.length === 1;
  const dialect = enabled.find((d) => d.claims(url, only));
  if (!dialect) throw invalidUrl(`the URL is in none of the enabled dialects (${ctx.config.dialects.join(', ')})`);
  return dialect.parse(url, ctx);
}
