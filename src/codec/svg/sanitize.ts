/**
 * @module codec/svg/sanitize
 * Rewrites SVG markup so that, opened directly from our origin or rendered,
 * it runs no script, embeds no other document and fetches nothing. Used for
 * the pass-through (`format=svg`, SVG_PASSTHROUGH: Cloudflare "sanitizes SVG
 * files" it delivers, developers.cloudflare.com/images/transform-images/) and
 * in front of resvg for rasterising, so both paths see the same document.
 *
 * Dropped, with everything inside them: `script`, `foreignObject` (arbitrary
 * HTML), `iframe`/`frame`/`embed`/`object`, `handler`/`listener` (SVG Tiny
 * events), and `set`/`animate` that target an href or an event attribute (the
 * known way to inject a `javascript:` link after sanitising).
 * Dropped attributes: every `on*` event handler; `href`/`xlink:href` unless it
 * points inside the document (`#id`) or is a raster `data:image/...` URI;
 * `xml:base`; any value that holds `javascript:`, or a `url(...)` that is not a
 * fragment (`fill="url(#g)"` stays). In `<style>` and `style=""`: `@import`
 * rules and external `url(...)` become nothing. Also dropped: the document type
 * (entities were already refused by codec/svg/inspect), processing instructions
 * other than the XML declaration (`<?xml-stylesheet?>` would load CSS), comments.
 *
 * Allow-listing by what is dangerous rather than by what SVG 2 defines keeps
 * unknown presentation attributes (editors write many) rendering as they did.
 */
import { localName, tokenize, type Attribute } from './markup';

const DROPPED_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'frame', 'embed', 'object', 'handler', 'listener']);
const ANIMATIONS = new Set(['set', 'animate', 'animatetransform', 'animatemotion']);
const RASTER_DATA = /^\s*data:image\/(png|jpeg|jpg|gif|webp|avif);/i;

/** A `url(...)` reference to anything but a fragment of this document. */
const EXTERNAL_URL = /url\(\s*(?!['"]?\s*#)[^)]*\)/gi;

function isHref(name: string): boolean {
  return localName(name) === 'href';
}

/**
 * The attribute as it may stay (its raw text, rewritten when a reference had to
 * go), or null to drop it. An external paint (`fill="url(http://...)"`) becomes
 * `none` rather than disappearing, which would paint the default black.
 */
function cleanAttribute(a: Attribute): string | null {
  const local = localName(a.name);
  if (local.startsWith('on')) return null;
  if (a.name.toLowerCase() === 'xml:base') return null;
  const value = decodeCharRefs(a.value);
  if (/javascript\s*:/i.test(value.replace(/[\s\u0000-\u001f]+/g, ''))) return null;
  if (isHref(a.name)) return /^\s*#/.test(value) || RASTER_DATA.test(value) ? a.raw : null;
  const external = new RegExp(EXTERNAL_URL.source, 'i');
  if (local === 'style' || external.test(value)) {
    // Cleaned as written (entities unexpanded), re-quoted with double quotes.
    return ` ${a.name}="${cleanCss(a.value).replaceAll('"', '&quot;')}"`;
  }
  return a.raw;
}

/** Character references decoded, so `&#106;avascript:` is seen for what it is. */
function decodeCharRefs(v: string): string {
  return v
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Math.min(0x10ffff, parseInt(h, 16))))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Math.min(0x10ffff, Number(d))));
}

/** CSS with `@import` rules and external `url()` references removed. */
function cleanCss(css: string): string {
  return css.replace(/@import[^;]*;?/gi, '').replace(EXTERNAL_URL, 'none');
}

function animatesUnsafe(attrs: readonly Attribute[]): boolean {
  const target = attrs.find((a) => localName(a.name) === 'attributename')?.value.trim().toLowerCase() ?? '';
  return localName(target) === 'href' || target.startsWith('on');
}

export interface SanitizeOptions {
  /** For rendering: the root's width and height replaced by these (the probe's intrinsic size). */
  rootSize?: { width: number; height: number };
}

/** The sanitised document (see the module comment). Expects markup codec/svg/inspect accepted. */
export function sanitizeSvg(text: string, opts: SanitizeOptions = {}): string {
  const out: string[] = [];
  let skipping = 0; // depth inside a dropped element
  let inStyle = 0;
  let seenRoot = false;
  for (const t of tokenize(text)) {
    if (skipping) {
      if (t.kind === 'start' && !t.selfClosing) skipping++;
      else if (t.kind === 'end') skipping--;
      continue;
    }
    switch (t.kind) {
      case 'start': {
        const local = localName(t.name);
        if (DROPPED_ELEMENTS.has(local) || (ANIMATIONS.has(local) && animatesUnsafe(t.attrs))) {
          if (!t.selfClosing) skipping = 1;
          continue;
        }
        let attrs = t.attrs.flatMap((a) => {
          const raw = cleanAttribute(a);
          return raw === null ? [] : [{ ...a, raw }];
        });
        let extra = '';
        if (!seenRoot) {
          seenRoot = true;
          if (opts.rootSize) {
            attrs = attrs.filter((a) => a.name !== 'width' && a.name !== 'height');
            extra = ` width="${opts.rootSize.width}" height="${opts.rootSize.height}"`;
          }
        }
        if (local === 'style' && !t.selfClosing) inStyle++;
        out.push(`<${t.name}${attrs.map((a) => a.raw).join('')}${extra}${t.selfClosing ? '/>' : '>'}`);
        break;
      }
      case 'end':
        if (localName(t.name) === 'style') inStyle = Math.max(0, inStyle - 1);
        out.push(t.raw);
        break;
      case 'text':
        out.push(inStyle ? cleanCss(t.raw) : t.raw);
        break;
      case 'cdata':
        out.push(inStyle ? `<![CDATA[${cleanCss(t.content)}]]>` : t.raw);
        break;
      case 'pi':
        if (t.target === 'xml') out.push(t.raw);
        break;
      case 'comment':
      case 'doctype':
        break;
    }
  }
  return out.join('');
}
