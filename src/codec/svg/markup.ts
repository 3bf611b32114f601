/**
 * @module codec/svg/markup
 * One pass over SVG markup as a sequence of tokens (XML 1.0 §2-3: start/end
 * tags, text, CDATA, comments, processing instructions, the document type),
 * shared by the probe's inspection (codec/svg/inspect) and the sanitiser
 * (codec/svg/sanitize). No DOM exists in Workers, and a tokenizer that keeps
 * every token's raw text lets the sanitiser rebuild the document byte-for-byte
 * minus what it drops.
 *
 * It is not a validating parser: resvg (roxmltree) parses the sanitised result
 * for rendering and rejects what is not well-formed. Here every loop advances,
 * every search is bounded by the input, and an unterminated construct is
 * reported as such (the caller answers 422).
 */

export interface Attribute {
  /** Qualified name as written (`xlink:href`). */
  name: string;
  /** Value with its quotes removed, entities not expanded. */
  value: string;
  /** The attribute's raw text, leading whitespace included, for re-emission. */
  raw: string;
}

export type Token =
  | { kind: 'start'; name: string; attrs: Attribute[]; selfClosing: boolean; raw: string }
  | { kind: 'end'; name: string; raw: string }
  | { kind: 'text'; raw: string }
  | { kind: 'cdata'; raw: string; content: string }
  | { kind: 'comment'; raw: string }
  | { kind: 'pi'; target: string; raw: string }
  | { kind: 'doctype'; raw: string; internalSubset: string };

/** Thrown for markup that is cut off or not markup at all. */
export class MarkupError extends Error {}

const NAME = /[^\s/>=]/;

/** Yields the tokens of `s` in order. */
export function* tokenize(s: string): Generator<Token> {
  let p = 0;
  const n = s.length;
  const find = (needle: string, from: number, what: string) => {
    const i = s.indexOf(needle, from);
    if (i < 0) throw new MarkupError(`unterminated ${what}`);
    return i;
  };
  while (p < n) {
    const lt = s.indexOf('<', p);
    if (lt < 0) {
      yield { kind: 'text', raw: s.slice(p) };
      return;
    }
    if (lt > p) yield { kind: 'text', raw: s.slice(p, lt) };
    p = lt;
    if (s.startsWith('<!--', p)) {
      const end = find('-->', p + 4, 'comment') + 3;
      yield { kind: 'comment', raw: s.slice(p, end) };
      p = end;
    } else if (s.startsWith('<![CDATA[', p)) {
      const close = find(']]>', p + 9, 'CDATA section');
      yield { kind: 'cdata', raw: s.slice(p, close + 3), content: s.slice(p + 9, close) };
      p = close + 3;
    } else if (s.startsWith('<?', p)) {
      const end = find('?>', p + 2, 'processing instruction') + 2;
      const target = /^<\?([^\s?]*)/.exec(s.slice(p, Math.min(end, p + 64)))?.[1] ?? '';
      yield { kind: 'pi', target: target.toLowerCase(), raw: s.slice(p, end) };
      p = end;
    } else if (s.startsWith('<!', p)) {
      // <!DOCTYPE name ExternalID? ('[' intSubset ']')? '>' (XML 1.0 §2.8); quotes may hold '>' or '['.
      let q = p + 2;
      let subsetStart = -1;
      let subsetEnd = -1;
      let quote = '';
      for (; q < n; q++) {
        const c = s[q]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '[' && subsetStart < 0) subsetStart = q + 1;
        else if (c === ']' && subsetStart >= 0 && subsetEnd < 0) subsetEnd = q;
        else if (c === '>' && (subsetStart < 0 || subsetEnd >= 0)) break;
      }
      if (q >= n) throw new MarkupError('unterminated document type declaration');
      yield { kind: 'doctype', raw: s.slice(p, q + 1), internalSubset: subsetStart >= 0 ? s.slice(subsetStart, subsetEnd) : '' };
      p = q + 1;
    } else if (s[p + 1] === '/') {
      const end = find('>', p + 2, 'end tag');
      yield { kind: 'end', name: s.slice(p + 2, end).trim(), raw: s.slice(p, end + 1) };
      p = end + 1;
    } else {
      const tag = readStartTag(s, p);
      yield tag.token;
      p = tag.end;
    }
  }
}

/** Reads `<name attr="v" ...>` or `.../>` from `p` (at '<'). */
function readStartTag(s: string, p: number): { token: Token & { kind: 'start' }; end: number } {
  const n = s.length;
  let q = p + 1;
  while (q < n && NAME.test(s[q]!)) q++;
  const name = s.slice(p + 1, q);
  if (!name) throw new MarkupError('a "<" that starts no tag');
  const attrs: Attribute[] = [];
  for (;;) {
    const rawStart = q;
    while (q < n && /\s/.test(s[q]!)) q++;
    if (q >= n) throw new MarkupError(`unterminated <${name.slice(0, 32)}> tag`);
    if (s[q] === '>') return { token: { kind: 'start', name, attrs, selfClosing: false, raw: s.slice(p, q + 1) }, end: q + 1 };
    if (s.startsWith('/>', q)) return { token: { kind: 'start', name, attrs, selfClosing: true, raw: s.slice(p, q + 2) }, end: q + 2 };
    const nameStart = q;
    while (q < n && NAME.test(s[q]!)) q++;
    const attrName = s.slice(nameStart, q);
    if (!attrName) throw new MarkupError(`malformed attribute in <${name.slice(0, 32)}>`);
    while (q < n && /\s/.test(s[q]!)) q++;
    if (s[q] !== '=') throw new MarkupError(`attribute ${attrName.slice(0, 32)} has no value`);
    q++;
    while (q < n && /\s/.test(s[q]!)) q++;
    const quote = s[q];
    if (quote !== '"' && quote !== "'") throw new MarkupError(`attribute ${attrName.slice(0, 32)} is not quoted`);
    const close = s.indexOf(quote, q + 1);
    if (close < 0) throw new MarkupError(`unterminated value of ${attrName.slice(0, 32)}`);
    attrs.push({ name: attrName, value: s.slice(q + 1, close), raw: s.slice(rawStart, close + 1) });
    q = close + 1;
  }
}

/** The local part of a qualified name, lower-cased (`svg:Script` -> `script`). */
export function localName(qname: string): string {
  const colon = qname.lastIndexOf(':');
  return (colon >= 0 ? qname.slice(colon + 1) : qname).toLowerCase();
}
