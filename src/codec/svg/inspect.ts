/**
 * @module codec/svg/inspect
 * What the probe needs from an SVG without rendering it: its intrinsic size (the
 * geometry the plan works in), how many elements it has and how deeply they
 * nest (the limits in limits.ts), from one pass of codec/svg/markup.
 *
 * Intrinsic size, as browsers size an SVG used as an image (SVG 2 §8.2, CSS
 * Images 3 §4.3 "default sizing"): `width` and `height` on the root element in
 * absolute units; a missing one from the other and the viewBox's aspect ratio;
 * both missing, the viewBox's own width and height (what resvg and librsvg
 * render, so the libvips reference agrees); nothing at all, CSS's default
 * object size, 300x150. Percentages and font-relative units (em, ex) have no
 * absolute meaning for a standalone image and count as missing.
 *
 * Refused here, before any pixel work: a document type declaring entities
 * (the billion-laughs expansion and external entities: 415), markup that is
 * cut off or whose first element is not `<svg>` (422), and sizes beyond
 * {@link MAX_SVG_INTRINSIC} (413).
 */
import { corrupt, tooLarge, unsupported } from '../../errors';
import { MarkupError, localName, tokenize, type Attribute } from './markup';

export interface SvgInfo {
  /** Intrinsic size in CSS px, rounded, at least 1. */
  width: number;
  height: number;
  /** Start tags in the document. */
  elements: number;
  /** Deepest element nesting (the root is 1). */
  depth: number;
  /**
   * Elements once every `<use href="#id">` is expanded, as the renderer instantiates
   * them: a few uses that each point at a group of uses multiply (the "use bomb",
   * billion laughs without entities). Cycles count as infinite. An upper bound:
   * content inside `<defs>` counts as drawn as well as referenced.
   */
  expanded: number;
}

/** One open element's subtree: its element count and the ids its `<use>`s reference. */
interface Frame {
  id?: string;
  count: number;
  refs: string[];
}

/** `<use>` references expanded with memoisation; a cycle or overflow is Infinity. */
function expandedCount(root: Frame, defs: Map<string, Frame>): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const cost = (frame: Frame): number => {
    let n = frame.count;
    for (const ref of frame.refs) {
      n += refCost(ref);
      if (!Number.isFinite(n)) return Infinity;
    }
    return n;
  };
  const refCost = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const def = defs.get(id);
    if (!def) return 0;
    if (visiting.has(id)) return Infinity;
    visiting.add(id);
    const n = cost(def);
    visiting.delete(id);
    memo.set(id, n);
    return n;
  };
  return cost(root);
}

const USE_REF = /^\s*#(.+?)\s*$/;

/**
 * Largest intrinsic width or height taken as geometry. The plan multiplies
 * these; beyond this they are not a picture's size but a hostile header.
 * An SVG drawn in large units with a viewBox still renders at any requested width.
 */
export const MAX_SVG_INTRINSIC = 1_000_000;

const UNITS: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, mm: 96 / 25.4, cm: 96 / 2.54, in: 96, q: 96 / 101.6 };

/** An absolute CSS length in px, or undefined (missing, %, em, garbage). */
function length(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*([+]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  const v = Number(m[1]) * (unit ?? NaN);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

function viewBox(raw: string | undefined): { width: number; height: number } | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.trim().split(/[\s,]+/).map(Number);
  if (parts.length !== 4 || !parts.every(Number.isFinite)) return undefined;
  const [, , width, height] = parts as [number, number, number, number];
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** The root element's intrinsic size by the rules in the module comment (unrounded). */
export function intrinsicSize(attrs: readonly Attribute[]): { width: number; height: number } {
  const attr = (name: string) => attrs.find((a) => a.name === name)?.value;
  const w = length(attr('width'));
  const h = length(attr('height'));
  const box = viewBox(attr('viewBox'));
  if (w && h) return { width: w, height: h };
  if (w) return { width: w, height: box ? (w * box.height) / box.width : 150 };
  if (h) return { width: box ? (h * box.width) / box.height : 300, height: h };
  return box ?? { width: 300, height: 150 };
}

/** Decodes the markup as UTF-8 (the XML default; a UTF-8 BOM is dropped). */
export function svgText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe))) {
    throw unsupported('SVG in UTF-16 is not supported; serve it as UTF-8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw corrupt('the SVG source is not valid UTF-8');
  }
}

/** Inspects SVG markup; throws ImageError 413/415/422 as the module comment says. */
export function inspectSvg(bytes: Uint8Array): SvgInfo {
  const text = svgText(bytes);
  let root: Attribute[] | undefined;
  let elements = 0;
  let depth = 0;
  const stack: Frame[] = [{ count: 0, refs: [] }];
  const defs = new Map<string, Frame>();
  const close = () => {
    if (stack.length < 2) return;
    const frame = stack.pop()!;
    const parent = stack[stack.length - 1]!;
    parent.count += frame.count;
    for (const r of frame.refs) parent.refs.push(r);
    if (frame.id !== undefined && !defs.has(frame.id)) defs.set(frame.id, frame);
  };
  let maxDepth = 0;
  try {
    for (const t of tokenize(text)) {
      if (t.kind === 'doctype' && /<!ENTITY/i.test(t.internalSubset)) {
        throw unsupported('the SVG declares XML entities (a document type with <!ENTITY>), which are refused: they can expand without bound');
      }
      if (t.kind === 'start') {
        if (!root) {
          if (localName(t.name) !== 'svg') throw corrupt(`the SVG's root element is <${t.name.slice(0, 32)}>, not <svg>`);
          root = t.attrs;
        }
        elements++;
        const id = t.attrs.find((a) => a.name === 'id')?.value;
        const frame: Frame = { ...(id !== undefined ? { id } : {}), count: 1, refs: [] };
        if (localName(t.name) === 'use') {
          const href = t.attrs.find((a) => localName(a.name) === 'href')?.value;
          const ref = href !== undefined ? USE_REF.exec(href)?.[1] : undefined;
          if (ref !== undefined) frame.refs.push(ref);
        }
        stack.push(frame);
        if (!t.selfClosing) maxDepth = Math.max(maxDepth, ++depth);
        else {
          maxDepth = Math.max(maxDepth, depth + 1);
          close();
        }
      } else if (t.kind === 'end') {
        depth = Math.max(0, depth - 1);
        close();
      }
    }
  } catch (err) {
    if (err instanceof MarkupError) throw corrupt(`the SVG source is not well-formed (${err.message})`);
    throw err;
  }
  if (!root) throw corrupt('the SVG source has no <svg> element');
  const size = intrinsicSize(root);
  if (size.width > MAX_SVG_INTRINSIC || size.height > MAX_SVG_INTRINSIC) {
    throw tooLarge(`the SVG's intrinsic size is ${Math.round(size.width)}x${Math.round(size.height)}; at most ${MAX_SVG_INTRINSIC} on each side is taken`);
  }
  while (stack.length > 1) close();
  const expanded = expandedCount(stack[0]!, defs);
  return { width: Math.max(1, Math.round(size.width)), height: Math.max(1, Math.round(size.height)), elements, depth: maxDepth, expanded };
}
