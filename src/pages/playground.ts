/**
 * @module pages/playground
 * The playground `GET /` serves while PLAYGROUND is on (the default; set
 * PLAYGROUND=false in production). One self-contained page: inline CSS and JS,
 * no external assets. Every option of the parameter table (PARAM_SPECS) gets a
 * control generated from its row (name, aliases, describe text, the optional `ui`
 * hint: enums become selects, the rest inputs), so a new row appears by itself.
 * The client script (pages/playground-client.ts) shows the transform's URL in
 * each dialect, the original beside the result with sizes and the saving,
 * Server-Timing as a bar, keeps the state in the page's hash and writes snippets.
 *
 * Built from the config alone: nothing from the request is echoed into the HTML,
 * and the script writes only `textContent`, never HTML. A per-response nonce in a
 * <meta> CSP limits scripts and styles to the inline blocks.
 */
import type { Config } from '../config';
import { PARAM_SPECS, type ParamSpec } from '../options/params';
import type { OptionLimits } from '../options/types';
import { PLAYGROUND_SCRIPT } from './playground-client';

/** The bundled samples (public/samples), offered when there is no ORIGIN. */
export const PLAYGROUND_SAMPLES = ['/samples/landscape.jpg', '/samples/badge.png', '/samples/landscape.webp'] as const;

/** What Chromium sends for images (minus image/jxl), so format=auto answers as it would for an <img>. */
const IMAGE_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

const STYLE = `
:root{color-scheme:light dark;--line:#8884;--muted:#888}
*{box-sizing:border-box}
/* The UA's [hidden]{display:none} loses to any class or element rule that sets display
   (".stage img{display:block}" used to keep a hidden image on screen): make hidden win. */
[hidden]{display:none!important}
body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:1.25rem;max-width:84rem;margin-inline:auto}
h1{font-size:1.3rem;margin:0 0 .25rem}
header p{margin:.1rem 0 1rem;color:var(--muted)}
main{display:grid;grid-template-columns:minmax(20rem,24rem) minmax(0,1fr);gap:1.5rem;align-items:start}
@media (max-width:820px){main{grid-template-columns:minmax(0,1fr)}}
form{display:grid;grid-template-columns:minmax(0,1fr);gap:.55rem;min-width:0}
label{display:grid;grid-template-columns:minmax(0,1fr);gap:.2rem;font-weight:600;font-size:.9rem;min-width:0}
input,select{min-width:0;font:inherit;padding:.3rem .4rem;border:1px solid var(--line);border-radius:.35rem;background:transparent;color:inherit;width:100%}
select option{color:initial}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.5rem .6rem .6rem;margin:0;min-width:0;display:grid;gap:.45rem}
legend{font-weight:700;font-size:.9rem;padding:0 .3rem}
/* One option per row: its name on the left, the control taking the rest, so even the
   longest choice ("scale-down") shows in full at 1280 px. */
.opt{display:grid;grid-template-columns:6.6rem minmax(0,1fr);align-items:center;gap:.15rem .5rem;font-weight:600}
.opt .name{font-size:.88rem;overflow-wrap:anywhere}
.opt .name small{display:block;font-weight:400;color:var(--muted);font-size:.75rem}
.opt .desc{grid-column:2;font-weight:400;font-size:.75rem;color:var(--muted);overflow-wrap:anywhere}
.opt .pair{display:grid;grid-template-columns:minmax(0,1fr) 2.4rem;gap:.3rem}
.opt .pair input[type=color]{padding:0;height:100%}
.note{font-size:.82rem;color:var(--muted);margin:0;overflow-wrap:anywhere}
.url{font:13px/1.4 ui-monospace,monospace;word-break:break-all;padding:.5rem .6rem;border:1px solid var(--line);border-radius:.35rem;display:block}
.compare{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.75rem;margin-top:.6rem}
figure{margin:0;min-width:0;display:grid;gap:.35rem;align-content:start}
figcaption{font-size:.85rem}
figcaption b{font-variant-numeric:tabular-nums}
.stage{border:1px dashed var(--line);border-radius:.5rem;padding:.5rem;min-height:8rem;display:grid;place-items:center;gap:.5rem;
  background:repeating-conic-gradient(#8882 0 25%,transparent 0 50%) 0 0/16px 16px}
.stage img{max-width:100%;height:auto;display:block}
.stale img{opacity:.55;outline:2px dashed #d33;outline-offset:2px}
.stats{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.6rem 0;font-size:.92rem}
.stats b{font-variant-numeric:tabular-nums}
.bar{display:flex;height:1.7rem;border-radius:.35rem;overflow:hidden;border:1px solid var(--line);margin:.3rem 0}
/* No padding on a segment: its width must stay proportional to its duration (flex-basis 0). */
.seg{min-width:0;overflow:hidden;white-space:nowrap;font-size:.75rem;line-height:1.7rem;color:#fff}
.seg span{padding:0 .3rem}
.c0{background:#3b6fd8}.c1{background:#2f9e6a}.c2{background:#c7772a}.c3{background:#8c4fc4}.c4{background:#c23f5d}.c5{background:#3a8f9c}
table{border-collapse:collapse;font-size:.85rem;width:100%;margin-top:.4rem}
td,th{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.mono{font-family:ui-monospace,monospace;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-all;font-size:.82rem;margin:0}
pre.code{border:1px solid var(--line);border-radius:.35rem;padding:.5rem .6rem;max-height:26rem;overflow:auto}
.error{color:#d33}
.alert{color:#d33;border:1px solid #d336;border-radius:.35rem;padding:.4rem .5rem;font-size:.88rem;justify-self:stretch;overflow-wrap:anywhere}
.inline{display:flex;gap:.5rem;align-items:center}
.inline select{width:auto}
button{font:inherit;padding:.25rem .6rem;border:1px solid var(--line);border-radius:.35rem;background:transparent;color:inherit;cursor:pointer}
h2{font-size:1rem;margin:1rem 0 .2rem}
`;

/** Escapes text for HTML text and double-quoted attributes (the table's own strings, never request data). */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function option(value: string, label: string, selected = false): string {
  return `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
}

/** What the controls start with when the page's hash carries no state (as the first playground did). */
export const PLAYGROUND_DEFAULTS: Readonly<Record<string, string>> = { width: '640', format: 'auto' };

/**
 * One control per parameter row, generated from the row alone: a select for an
 * `enum` hint, a number input for int/number, a text input with a colour picker
 * for `color`, a text input (with suggestions when the hint lists some) otherwise,
 * including rows that carry no hint at all. Exported for the page's unit test.
 */
export function renderOptionControls(specs: readonly ParamSpec[], limits: OptionLimits): string {
  const names = playgroundParamNames(specs);
  return specs
    .map((spec, i) => {
      const key = names[i]!;
      const id = `opt-${key}`;
      const kind = spec.ui?.kind ?? 'text';
      const choices = spec.ui?.choices ?? [];
      const initial = PLAYGROUND_DEFAULTS[key] ?? '';
      const common = `id="${esc(id)}" name="${esc(key)}" data-param="${esc(key)}"`;
      let field: string;
      if (kind === 'enum' && choices.length) {
        field = `<select ${common}>${option('', '(default)', initial === '')}${choices.map((c) => option(c, c, c === initial)).join('')}</select>`;
      } else if (kind === 'int' || kind === 'number') {
        field = `<input ${common} type="number" min="0" step="${kind === 'int' ? '1' : 'any'}" inputmode="decimal" value="${esc(initial)}">`;
      } else {
        const list = choices.length ? ` list="list-${esc(key)}"` : '';
        field = `<input ${common} type="text" spellcheck="false"${list} value="${esc(initial)}">`;
        if (choices.length) field += `<datalist id="list-${esc(key)}">${choices.map((c) => option(c, c)).join('')}</datalist>`;
        if (kind === 'color') field = `<span class="pair">${field}<input id="pick-${esc(key)}" type="color" aria-label="${esc(key)} colour picker" value="#ffffff"></span>`;
      }
      const aliases = spec.aliases.length ? `<small>also ${esc(spec.aliases.join(', '))}</small>` : '';
      return `<label class="opt" for="${esc(id)}"><span class="name">${esc(key)}${aliases}</span>${field}<span class="desc">${esc(spec.describe(limits))}</span></label>`;
    })
    .join('\n');
}

/**
 * The URL name each row's control writes: its key, or (should two rows share a key)
 * the first alias no earlier row took, so names, element ids and hash keys stay unique.
 * Every name is a spelling the parser maps to that row.
 */
export function playgroundParamNames(specs: readonly ParamSpec[]): string[] {
  const taken = new Set<string>();
  return specs.map((spec, i) => {
    const name = [String(spec.key), ...spec.aliases].find((n) => !taken.has(n)) ?? `${String(spec.key)}-${i}`;
    taken.add(name);
    return name;
  });
}

/** The dialect switch: both Cloudflare forms, Thumbor and imgproxy (the URL is shown for each; the preview uses enabled ones). */
const DIALECT_CHOICES: readonly (readonly [value: string, label: string])[] = [
  ['cf-query', 'Cloudflare: query form'],
  ['cf-cdn-cgi', 'Cloudflare: /cdn-cgi/image/'],
  ['thumbor', 'Thumbor (unsafe)'],
  ['imgproxy', 'imgproxy (insecure, plain)'],
];

const SNIPPET_CHOICES: readonly (readonly [value: string, label: string])[] = [
  ['img', '<img srcset>'],
  ['picture', '<picture>'],
  ['next', 'Next.js loader'],
  ['nuxt', 'Nuxt Image'],
  ['astro', 'Astro'],
];

/** JSON inside <script type="application/json">: no `<` can end the block early. */
function jsonBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function renderPlaygroundPage(config: Config, version: string): string {
  const n = nonce();
  // Which dialects the deployment serves (config.dialects, from DIALECTS,
  // default Cloudflare only). Every dialect's URL is shown; the preview uses an enabled one.
  const dialects = [...new Set(config.dialects)].sort();
  const limits: OptionLimits = { maxDimension: config.maxDimension, allowedWidths: config.allowedWidths, allowedQualities: config.allowedQualities };
  const samples = config.origin ? [] : PLAYGROUND_SAMPLES;
  const sourceOptions = [
    ...samples.map((s, i) => option(s, s.replace('/samples/', 'Sample: '), i === 0)),
    option('custom', 'URL or path below', samples.length === 0),
  ].join('');
  const notes = [
    config.origin
      ? 'ORIGIN is set: a path (e.g. /images/photo.jpg) is read from it (or from the R2 bucket when bound).'
      : 'No ORIGIN: paths are read from the bundled samples.',
    config.allowedOrigins.trim()
      ? 'Absolute URLs are fetched when ALLOWED_ORIGINS allows them.'
      : 'ALLOWED_ORIGINS is empty: absolute URLs are refused.',
    ...(config.signingKeys.length ? ['SIGNING_KEYS is set: the unsigned URLs built here are refused (403).'] : []),
  ]
    .map((t) => `<p class="note">${esc(t)}</p>`)
    .join('\n');
  const data = {
    params: playgroundParamNames(PARAM_SPECS).map((name, i) => ({ key: name, row: PARAM_SPECS[i]!.key, kind: PARAM_SPECS[i]!.ui?.kind ?? 'text' })),
    dialects,
    accept: IMAGE_ACCEPT,
    maxDimension: config.maxDimension,
  };

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Thumbflare ${esc(version)} playground</title>
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<header>
<h1>Thumbflare ${esc(version)} playground</h1>
<p>Every option of the parameter table, the same transform in each URL dialect, the original beside the result, where the time went, and the markup to use it. The page's address keeps the state: copy it to share. Set <code>PLAYGROUND=false</code> in production.</p>
</header>
<main>
<form id="controls" autocomplete="off">
<label>Source
<select id="source" name="source">${sourceOptions}</select></label>
<label>URL or path
<input id="custom" name="custom" type="text" inputmode="url" spellcheck="false" placeholder="https://example.com/photo.jpg or /photo.jpg"></label>
${notes}
<label>URL dialect
<select id="dialect" name="dialect" data-enabled="${esc(dialects.join(' '))}">${DIALECT_CHOICES.map(([v, l], i) => option(v, l, i === 0)).join('')}</select></label>
<fieldset id="options"><legend>Options (${PARAM_SPECS.length}, from the parameter table)</legend>
${renderOptionControls(PARAM_SPECS, limits)}
</fieldset>
<p class="note">Fetched with <code>Accept: ${esc(IMAGE_ACCEPT)}</code>. Empty means the default.</p>
</form>
<section aria-live="polite">
<a id="result-url" class="url" target="_blank" rel="noopener"></a>
<p id="preview-note" class="note"></p>
<p id="unmapped" class="note" hidden></p>
<div class="stats">
<span>HTTP <b id="http">–</b></span>
<span>Type <b id="type">–</b></span>
<span>Size <b id="size">–</b></span>
<span>Pixels <b id="dims">–</b></span>
<span>Saving <b id="saving">–</b></span>
</div>
<p id="status"></p>
<div class="compare">
<figure id="original-fig"><figcaption>Original: <b id="original-size">–</b> <span id="original-dims" class="note"></span></figcaption>
<div class="stage"><img id="original" alt="original image" hidden></div>
<p class="note">Shown as Thumbflare serves it with no options; the size is the source's own bytes.</p></figure>
<figure id="result-fig"><figcaption>Result: <b id="result-size">–</b></figcaption>
<div class="stage"><img id="result" alt="transformed image" hidden><pre id="text" hidden></pre><div id="error" class="alert" role="alert" hidden></div></div></figure>
</div>
<h2>Server-Timing</h2>
<div id="timing-bar" class="bar" role="img" aria-label="Server-Timing stages"></div>
<p id="timing-sum" class="note"></p>
<table><tbody id="timing"></tbody></table>
<h2>Use it</h2>
<div class="inline"><select id="snippet-kind" aria-label="snippet">${SNIPPET_CHOICES.map(([v, l], i) => option(v, l, i === 0)).join('')}</select><button id="copy" type="button">Copy</button></div>
<pre id="snippet" class="code"></pre>
<h2>Response headers</h2>
<table><tbody id="headers"></tbody></table>
</section>
</main>
<script type="application/json" id="playground-data">${jsonBlock(data)}</script>
<script nonce="${n}">${PLAYGROUND_SCRIPT}</script>
</body></html>`;
}
