/**
 * The SVG codec's parts inside workerd: the sanitiser (table of hostile markup in,
 * what must be gone and what must stay out), the renderer's output size for a
 * decode hint, and the resvg instance surviving bad input.
 */
import { describe, expect, it } from 'vitest';
import { decodeSvg, svgRenderSize } from '../../src/codec/svg/decode';
import { sanitizeSvg } from '../../src/codec/svg/sanitize';
import { ImageError } from '../../src/errors';

const SVG = (inner: string, attrs = '') => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attrs}>${inner}</svg>`;

describe('sanitizeSvg', () => {
  const CASES: [string, string, string[], string[]][] = [
    ['script element and its content', SVG('<script>alert(1)</script><rect/>'), ['script', 'alert'], ['<rect/>']],
    ['script with a namespace prefix', SVG('<svg:script xmlns:svg="http://www.w3.org/2000/svg">x()</svg:script>'), ['script', 'x()'], []],
    ['CDATA script', SVG('<script><![CDATA[ fetch("//e") ]]></script>'), ['fetch'], []],
    ['nested content of a dropped element', SVG('<foreignObject><div><p>hi</p><svg><script/></svg></div></foreignObject><circle/>'), ['foreignObject', '<div', 'hi'], ['<circle/>']],
    ['event handlers', SVG('<rect onclick="a()" OnMouseOver="b()" width="1"/>', ' onload="c()"'), ['onclick', 'OnMouseOver', 'onload'], ['width="1"']],
    ['javascript: links, plain and encoded', SVG('<a href="javascript:x()"><a xlink:href="&#x6A;avascript:y()"><a href=" java\tscript:z()">'), ['javascript', '&#x6A;', 'script:'], []],
    ['external hrefs', SVG('<image href="http://e/x.png"/><use xlink:href="file:///etc/passwd"/><image href="x.png"/>'), ['http://e', 'file:', 'x.png'], ['<image/>', '<use/>']],
    ['fragment and raster data hrefs stay', SVG('<use href="#a"/><image href="data:image/png;base64,AAAA"/>'), [], ['href="#a"', 'data:image/png;base64,AAAA']],
    ['SVG data URIs go (they may hold script)', SVG('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'), ['data:image/svg'], []],
    ['external paint becomes none, local paint stays', SVG('<rect fill="url(http://e/p#a)"/><rect fill="url(#g)"/>'), ['http://e'], ['fill="none"', 'fill="url(#g)"']],
    ['@import and external url() in style', SVG('<style>@import "http://e/a.css"; r { background: url(http://e/i.png) } g { fill: red }</style>'), ['@import', 'http://e'], ['g { fill: red }']],
    ['style attribute', SVG('<rect style="fill:url(https://e/p);stroke:blue"/>'), ['https://e'], ['stroke:blue']],
    ['href-setting animation', SVG('<a><set attributeName="href" to="javascript:x()"/><animate attributeName="xlink:href" values="javascript:y()"/></a>'), ['<set', '<animate', 'javascript'], ['<a>']],
    ['stylesheet PI, doctype and comments', '<?xml version="1.0"?><?xml-stylesheet href="http://e/a.css"?><!DOCTYPE svg><!-- hi -->' + SVG(''), ['xml-stylesheet', 'DOCTYPE', 'hi'], ['<?xml version="1.0"?>']],
    ['xml:base', SVG('<g xml:base="http://e/"/>'), ['xml:base'], ['<g/>']],
  ];
  for (const [name, input, gone, kept] of CASES) {
    it(name, () => {
      const out = sanitizeSvg(input);
      for (const g of gone) expect(out, g).not.toContain(g);
      for (const k of kept) expect(out, k).toContain(k);
      // Sanitising is idempotent: the output is already clean.
      expect(sanitizeSvg(out)).toBe(out);
    });
  }

  it('sets the root size for rendering when asked, replacing percentages', () => {
    const out = sanitizeSvg(SVG('<rect/>', ' width="100%" viewBox="0 0 4 2"'), { rootSize: { width: 40, height: 20 } });
    expect(out).toContain('width="40" height="20"');
    expect(out).not.toContain('100%');
  });
});

describe('svgRenderSize', () => {
  it.each([
    [{}, 1, 20, 20],
    [{ minWidth: 800, minHeight: 800 }, 40, 800, 800],
    [{ minWidth: 10, minHeight: 10 }, 0.5, 10, 10],
    [{ minWidth: 801, minHeight: 10 }, 40.05, 801, 801],
  ])('hint %j on a 20x20 icon renders at zoom %d, %dx%d', (hint, zoom, w, h) => {
    const size = svgRenderSize({ width: 20, height: 20 }, hint);
    expect(size.zoom).toBeCloseTo(zoom, 6);
    expect([size.width, size.height]).toEqual([w, h]);
  });
});

describe('decodeSvg', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('renders at the hinted size, and keeps working after input resvg rejects', async () => {
    // Well-formed for our tokenizer but not for resvg (an unbound prefix): 422, not a crash.
    expect(() => decodeSvg(enc('<svg xmlns="http://www.w3.org/2000/svg"><x:rect/></svg>'), {})).toThrow(ImageError);
    const r = decodeSvg(enc(SVG('<rect width="10" height="10" fill="#00f"/>', ' viewBox="0 0 10 10"')), { minWidth: 64, minHeight: 64 });
    expect([r.width, r.height]).toEqual([64, 64]);
    expect(Array.from(r.data.subarray(0, 4))).toEqual([0, 0, 255, 255]);
  });
});
