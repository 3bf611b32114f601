/**
 * @module pages/playground
 * The playground `GET /` serves while PLAYGROUND is on (the default; set
 * PLAYGROUND=false in production). One self-contained page: inline CSS and JS,
 * no external assets. Pick a bundled sample or paste a URL or path, set width,
 * height, fit, format and quality; the page builds the Thumbflare URL client-side
 * with the public parameter names, fetches it, and shows the image (as an object
 * URL), the URL, its size in bytes, the response headers and the Server-Timing
 * breakdown.
 *
 * Built from the config alone: nothing from the request is echoed into the HTML,
 * and the script writes only `textContent`, never HTML. A per-response nonce in a
 * <meta> CSP limits scripts and styles to the two inline blocks.
 */
import type { Config } from '../config';

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
body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:1.25rem;max-width:78rem;margin-inline:auto}
h1{font-size:1.3rem;margin:0 0 .25rem}
header p{margin:.1rem 0 1rem;color:var(--muted)}
main{display:grid;grid-template-columns:minmax(16rem,20rem) minmax(0,1fr);gap:1.5rem;align-items:start}
@media (max-width:720px){main{grid-template-columns:1fr}}
form{display:grid;grid-template-columns:minmax(0,1fr);gap:.7rem;min-width:0}
label{display:grid;grid-template-columns:minmax(0,1fr);gap:.2rem;font-weight:600;font-size:.9rem;min-width:0}
input,select{min-width:0;font:inherit;padding:.35rem .45rem;border:1px solid var(--line);border-radius:.35rem;background:transparent;color:inherit;width:100%}
select option{color:initial}
.row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.6rem}
.note{font-size:.82rem;color:var(--muted);margin:0;overflow-wrap:anywhere}
.url{font:13px/1.4 ui-monospace,monospace;word-break:break-all;padding:.5rem .6rem;border:1px solid var(--line);border-radius:.35rem;display:block}
.stage{border:1px dashed var(--line);border-radius:.5rem;padding:.75rem;min-height:8rem;display:grid;place-items:center;
  background:repeating-conic-gradient(#8882 0 25%,transparent 0 50%) 0 0/16px 16px}
.stage img{max-width:100%;height:auto;display:block}
.stats{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.6rem 0;font-size:.92rem}
.stats b{font-variant-numeric:tabular-nums}
table{border-collapse:collapse;font-size:.85rem;width:100%;margin-top:.4rem}
td,th{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.mono{font-family:ui-monospace,monospace;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-all;font-size:.85rem;margin:0}
.error{color:#d33}
h2{font-size:1rem;margin:1rem 0 .2rem}
`;

/**
 * The client script: plain ES2017, no template literals (this file wraps it in
 * one), every output through textContent.
 */
const SCRIPT = `
(function () {
  'use strict';
  var ACCEPT = ${JSON.stringify(IMAGE_ACCEPT)};
  var PARAMS = ['width', 'height', 'fit', 'format', 'quality'];
  var $ = function (id) { return document.getElementById(id); };
  var controller = null, objectUrl = null, timer = 0, seq = 0;

  function encodePath(path) {
    return path.split('/').map(function (s) {
      try { return encodeURIComponent(decodeURIComponent(s)); } catch (e) { return encodeURIComponent(s); }
    }).join('/');
  }

  /** The Thumbflare URL for the current controls: path form for a path, remote form (url=) otherwise. */
  function buildUrl() {
    var src = $('source').value === 'custom' ? $('custom').value.trim() : $('source').value;
    if (!src) return null;
    var query = [];
    PARAMS.forEach(function (name) {
      var v = $(name).value.trim();
      if (v !== '') query.push(name + '=' + encodeURIComponent(v));
    });
    var opts = query.join('&');
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.indexOf('?') !== -1 || src.indexOf('#') !== -1) {
      return '/?url=' + encodeURIComponent(src) + (opts ? '&' + opts : '');
    }
    if (src.charAt(0) !== '/') src = '/' + src;
    return encodePath(src) + (opts ? '?' + opts : '');
  }

  function formatBytes(n) {
    var text = n.toLocaleString('en-US') + ' bytes';
    if (n >= 1024 * 1024) return text + ' (' + (n / 1024 / 1024).toFixed(2) + ' MB)';
    if (n >= 1024) return text + ' (' + (n / 1024).toFixed(1) + ' KB)';
    return text;
  }

  function setStatus(text, isError) {
    var el = $('status');
    el.textContent = text;
    el.className = isError ? 'error' : '';
  }

  function row(table, cells, classes) {
    var tr = document.createElement('tr');
    cells.forEach(function (c, i) {
      var td = document.createElement('td');
      td.textContent = c;
      if (classes && classes[i]) td.className = classes[i];
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }

  /** W3C Server-Timing: "name;dur=1.2;desc=x, ..." as rows of name, ms, description. */
  function showTiming(header, totalMs) {
    var body = $('timing');
    body.textContent = '';
    (header || '').split(',').forEach(function (metric) {
      var parts = metric.trim().split(';');
      if (!parts[0]) return;
      var dur = '', desc = '';
      parts.slice(1).forEach(function (p) {
        var kv = p.trim().split('=');
        var v = (kv[1] || '').replace(/^"|"$/g, '');
        if (kv[0] === 'dur') dur = Number(v).toFixed(1) + ' ms';
        if (kv[0] === 'desc') desc = v;
      });
      row(body, [parts[0], dur, desc], ['', 'num', '']);
    });
    row(body, ['total (browser)', totalMs.toFixed(1) + ' ms', 'fetch start to last byte'], ['', 'num', '']);
  }

  function showHeaders(res) {
    var body = $('headers');
    body.textContent = '';
    ['content-type', 'cache-control', 'etag', 'vary', 'cache-tag', 'content-disposition'].forEach(function (h) {
      var v = res.headers.get(h);
      if (v !== null) row(body, [h, v], ['', 'mono']);
    });
  }

  function update() {
    clearTimeout(timer);
    var url = buildUrl();
    var link = $('result-url');
    if (!url) {
      link.textContent = '';
      link.removeAttribute('href');
      setStatus('Pick a sample or enter a URL or path.');
      return;
    }
    link.textContent = location.origin + url;
    link.href = url;
    if (controller) controller.abort();
    var mine = ++seq;
    controller = new AbortController();
    setStatus('Loading…');
    var started = performance.now();
    fetch(url, { headers: { Accept: ACCEPT }, signal: controller.signal, cache: 'no-store' })
      .then(function (res) { return res.blob().then(function (blob) { return { res: res, blob: blob }; }); })
      .then(function (r) {
        if (mine !== seq) return;
        var res = r.res, blob = r.blob, total = performance.now() - started;
        var type = res.headers.get('content-type') || '';
        showHeaders(res);
        showTiming(res.headers.get('server-timing'), total);
        $('size').textContent = formatBytes(blob.size);
        $('type').textContent = type || '(none)';
        $('http').textContent = String(res.status);
        if (res.ok && type.indexOf('image/') === 0) {
          var img = $('result');
          var previous = objectUrl;
          objectUrl = URL.createObjectURL(blob);
          img.onload = function () {
            if (mine !== seq) return;
            $('dims').textContent = img.naturalWidth + ' × ' + img.naturalHeight + ' px';
            img.setAttribute('data-url', url);
            $('text').hidden = true;
            img.hidden = false;
            setStatus('Done in ' + total.toFixed(0) + ' ms.');
            if (previous) URL.revokeObjectURL(previous);
          };
          img.onerror = function () { if (mine === seq) setStatus('The browser could not decode this ' + type + '.', true); };
          img.src = objectUrl;
          return;
        }
        return blob.text().then(function (text) {
          if (mine !== seq) return;
          var pretty = text;
          try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
          $('text').textContent = pretty;
          $('text').hidden = false;
          $('result').hidden = true;
          $('dims').textContent = '–';
          var message = '';
          try { message = JSON.parse(text).error.message; } catch (e) { /* no error body */ }
          if (res.ok) setStatus('Done in ' + total.toFixed(0) + ' ms (not an image: ' + type + ').');
          else setStatus('HTTP ' + res.status + (message ? ': ' + message : ''), true);
        });
      })
      .catch(function (err) {
        if (err && err.name === 'AbortError') return;
        if (mine === seq) setStatus('Request failed: ' + (err && err.message), true);
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }

  $('controls').addEventListener('submit', function (e) { e.preventDefault(); update(); });
  $('custom').addEventListener('input', function () {
    if ($('custom').value.trim() !== '') $('source').value = 'custom';
    later();
  });
  $('source').addEventListener('change', update);
  PARAMS.forEach(function (name) {
    var el = $(name);
    el.addEventListener(el.tagName === 'SELECT' ? 'change' : 'input', el.tagName === 'SELECT' ? update : later);
  });
  update();
})();
`;

function option(value: string, label: string, selected = false): string {
  return `<option value="${value}"${selected ? ' selected' : ''}>${label}</option>`;
}

export function renderPlaygroundPage(config: Config, version: string): string {
  const n = nonce();
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
    .map((t) => `<p class="note">${t}</p>`)
    .join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Thumbflare ${version} playground</title>
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<header>
<h1>Thumbflare ${version} playground</h1>
<p>Build a transform URL, see the result, its size and where the time went. Set <code>PLAYGROUND=false</code> in production.</p>
</header>
<main>
<form id="controls" autocomplete="off">
<label>Source
<select id="source" name="source">${sourceOptions}</select></label>
<label>URL or path
<input id="custom" name="custom" type="text" inputmode="url" spellcheck="false" placeholder="https://example.com/photo.jpg or /photo.jpg"></label>
${notes}
<div class="row">
<label>width <input id="width" name="width" type="number" min="1" max="${config.maxDimension}" step="1" value="640"></label>
<label>height <input id="height" name="height" type="number" min="1" max="${config.maxDimension}" step="1"></label>
</div>
<div class="row">
<label>fit <select id="fit" name="fit">${option('', 'scale-down (default)', true)}${['contain', 'cover', 'crop', 'pad', 'squeeze'].map((f) => option(f, f)).join('')}</select></label>
<label>format <select id="format" name="format">${option('auto', 'auto (Accept)', true)}${option('', 'same as source')}${['avif', 'webp', 'jpeg', 'png', 'json'].map((f) => option(f, f)).join('')}</select></label>
</div>
<label>quality <input id="quality" name="quality" type="number" min="1" max="100" step="1" placeholder="85 (default)"></label>
<p class="note">Fetched with <code>Accept: ${IMAGE_ACCEPT}</code>.</p>
</form>
<section aria-live="polite">
<a id="result-url" class="url" target="_blank" rel="noopener"></a>
<div class="stats">
<span>HTTP <b id="http">–</b></span>
<span>Type <b id="type">–</b></span>
<span>Size <b id="size">–</b></span>
<span>Pixels <b id="dims">–</b></span>
</div>
<p id="status"></p>
<div class="stage"><img id="result" alt="transformed image" hidden><pre id="text" hidden></pre></div>
<h2>Server-Timing</h2>
<table><tbody id="timing"></tbody></table>
<h2>Response headers</h2>
<table><tbody id="headers"></tbody></table>
</section>
</main>
<script nonce="${n}">${SCRIPT}</script>
</body></html>`;
}
