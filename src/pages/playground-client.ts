/**
 * @module pages/playground-client
 * The playground's client script, as a string the page inlines under its CSP
 * nonce. Plain ES2017 with no template literals (this file wraps it in one); every
 * output goes through textContent or CSSOM, never HTML. It reads its data (the
 * option list from PARAM_SPECS, enabled dialects, limits) from a JSON block the
 * page writes from the config alone.
 *
 * What it does: builds the transform's URL in each dialect (Cloudflare query and
 * /cdn-cgi/image/ forms, Thumbor, imgproxy), fetches the preview through a form
 * the deployment serves, shows the original beside the result with sizes and the
 * saving, draws Server-Timing as a bar, keeps the state in the page's hash, and
 * writes snippets (img srcset, picture, Next.js, Nuxt Image, Astro).
 *
 * Dialect grammars follow each project's documentation:
 *   Thumbor  /unsafe/[meta/][AxB:CxD/][fit-in/][-]WxH/[halign/][valign/][smart/][filters:f(a):g(b)/]image
 *            (thumbor.readthedocs.io "Usage"; filters: quality, format, fill, upscale,
 *            stretch, focal, rotate, blur, sharpen, brightness, contrast, saturation)
 *   imgproxy /insecure/rs:type:w:h:enlarge:extend/.../plain/source@ext
 *            (docs.imgproxy.net "Processing an image"; options rs, dpr, g, c, q, bg,
 *            rot, fl, bl, sh; brightness/contrast/saturation are imgproxy Pro only)
 */

export const PLAYGROUND_SCRIPT = `
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('playground-data').textContent);
  var PARAMS = DATA.params;
  var ENABLED = DATA.dialects;
  var $ = function (id) { return document.getElementById(id); };
  var controller = null, objectUrl = null, originalUrl = null, timer = 0, seq = 0;
  var original = { src: null, bytes: null, width: null, height: null, format: null };
  var lastResult = null;

  function control(key) { return $('opt-' + key); }
  function has(list, v) { return list.indexOf(v) !== -1; }

  function encodePath(path) {
    return path.split('/').map(function (s) {
      try { return encodeURIComponent(decodeURIComponent(s)); } catch (e) { return encodeURIComponent(s); }
    }).join('/');
  }
  function isAbsolute(src) { return /^[a-z][a-z0-9+.-]*:/i.test(src) || src.indexOf('//') === 0; }

  /** The current source: a bundled sample, or what was typed (a path or an absolute URL). */
  function currentSrc() {
    var src = $('source').value === 'custom' ? $('custom').value.trim() : $('source').value;
    if (!src) return '';
    if (src.indexOf('//') === 0) return 'https:' + src;
    if (!isAbsolute(src) && src.charAt(0) !== '/') src = '/' + src;
    return src;
  }

  /** The state: source, dialect and the non-empty options in table order. */
  function readState() {
    var opts = [];
    PARAMS.forEach(function (p) {
      var v = control(p.key).value.trim();
      if (v !== '') opts.push([p.key, v]);
    });
    return { src: currentSrc(), dialect: $('dialect').value, snippet: $('snippet-kind').value, opts: opts };
  }
  function optMap(state) {
    var m = {};
    state.opts.forEach(function (kv) { m[kv[0]] = kv[1]; });
    return m;
  }

  // ---- Cloudflare forms -------------------------------------------------
  function cfQuery(src, opts) {
    var query = opts.map(function (kv) { return kv[0] + '=' + encodeURIComponent(kv[1]); }).join('&');
    if (isAbsolute(src) || src.indexOf('?') !== -1 || src.indexOf('#') !== -1) {
      return '/?url=' + encodeURIComponent(src) + (query ? '&' + query : '');
    }
    return encodePath(src) + (query ? '?' + query : '');
  }
  function cdnValue(v) {
    return encodeURIComponent(v).replace(/%3B/g, ';').replace(/%2C/g, ',').replace(/%3A/g, ':');
  }
  function cfCdnCgi(src, opts) {
    // The options segment cannot be empty; fit=scale-down is the default, so it changes nothing.
    var seg = opts.length ? opts.map(function (kv) { return kv[0] + '=' + cdnValue(kv[1]); }).join(',') : 'fit=scale-down';
    var source = isAbsolute(src) ? encodeURI(src) : encodePath(src).replace(/^\\//, '');
    return '/cdn-cgi/image/' + seg + '/' + source;
  }

  // ---- colours for the other dialects ------------------------------------
  /** #rgb, #rrggbb, #rrggbbaa or rgb()/rgba() to rrggbb; null for anything else. */
  function hexColor(v) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(v);
    if (m) {
      var h = m[1];
      if (h.length === 3) h = h.charAt(0) + h.charAt(0) + h.charAt(1) + h.charAt(1) + h.charAt(2) + h.charAt(2);
      return h.slice(0, 6).toLowerCase();
    }
    m = /^rgba?\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)/i.exec(v);
    if (m) {
      return [m[1], m[2], m[3]].map(function (n) { var s = Math.min(255, Number(n)).toString(16); return s.length < 2 ? '0' + s : s; }).join('');
    }
    return null;
  }
  function trimBox(v) {
    var p = v.split(';').map(Number);
    return p.length === 4 && p.every(function (n) { return isFinite(n); }) ? { top: p[0], right: p[1], bottom: p[2], left: p[3] } : null;
  }
  function focal(v) {
    var m = /^([\\d.]+)x([\\d.]+)$/.exec(v);
    return m ? { x: Number(m[1]), y: Number(m[2]) } : null;
  }
  var NAMED = { center: [0.5, 0.5], centre: [0.5, 0.5], top: [0.5, 0], bottom: [0.5, 1], left: [0, 0.5], right: [1, 0.5],
    'top-left': [0, 0], 'top-right': [1, 0], 'bottom-left': [0, 1], 'bottom-right': [1, 1] };
  function clamp(n, lo, hi) { return Math.max(lo, Math.min(hi, n)); }
  function pct(factor) { return String(clamp(Math.round((Number(factor) - 1) * 100), -100, 100)); }

  /**
   * Thumbor, unsafe form. Returns the URL and what has no Thumbor equivalent.
   * dpr multiplies the size (Thumbor has none); rotate is counter-clockwise in
   * Thumbor's PIL engine, so Cloudflare's clockwise 90 is rotate(270).
   */
  function thumborUrl(src, m) {
    var parts = [], filters = [], unmapped = [], notes = [], used = {};
    var use = function (k) { used[k] = true; return m[k]; };
    var dpr = Number(use('dpr') || 1);
    var w = m.width ? Math.round(Number(use('width')) * dpr) : 0;
    var h = m.height ? Math.round(Number(use('height')) * dpr) : 0;
    var fit = use('fit') || 'scale-down';
    if (use('format') === 'json') parts.push('meta');
    if (m.trim) {
      var t = trimBox(use('trim'));
      if (t && original.width) parts.push(t.left + 'x' + t.top + ':' + (original.width - t.right) + 'x' + (original.height - t.bottom));
      else unmapped.push('trim (needs the source size)');
    }
    // Without a size there is nothing to fit into: Thumbor keeps the source size.
    var sized = w || h;
    if (sized && (fit === 'scale-down' || fit === 'contain' || fit === 'pad')) parts.push('fit-in');
    var flip = use('flip') || '';
    var fh = flip.indexOf('h') !== -1, fv = flip.indexOf('v') !== -1;
    if (w || h || fh || fv) parts.push((fh ? '-' : '') + w + 'x' + (fv ? '-' : '') + h);
    var g = use('gravity');
    if (g === 'auto' || g === 'face') parts.push('smart');
    else if (g && NAMED[g]) {
      var xy = NAMED[g];
      if (xy[0] !== 0.5) parts.push(xy[0] < 0.5 ? 'left' : 'right');
      if (xy[1] !== 0.5) parts.push(xy[1] < 0.5 ? 'top' : 'bottom');
    } else if (g) {
      var f = focal(g);
      if (f && original.width) {
        var fx = Math.round(f.x * original.width), fy = Math.round(f.y * original.height);
        filters.push('focal(' + fx + 'x' + fy + ':' + (fx + 1) + 'x' + (fy + 1) + ')');
      } else unmapped.push('gravity (a focal point needs the source size)');
    }
    if (sized && fit === 'squeeze') filters.push('stretch()');
    if (sized && (fit === 'contain' || fit === 'pad')) filters.push('upscale()');
    if (m.background) {
      var bg = use('background');
      var c = hexColor(bg) || (/^[a-z]+$/i.test(bg) ? bg : null);
      if (c) filters.push((fit === 'pad' ? 'fill(' : 'background_color(') + c + ')');
      else unmapped.push('background');
    } else if (fit === 'pad') filters.push('fill(ffffff)');
    if (m.quality) filters.push('quality(' + use('quality') + ')');
    var fmt = m.format;
    if (fmt && fmt !== 'auto' && fmt !== 'json') filters.push('format(' + (fmt === 'jpg' ? 'jpeg' : fmt) + ')');
    if (fmt === 'auto') notes.push('format=auto: Thumbor negotiates WebP itself when AUTO_WEBP is on');
    if (m.rotate) filters.push('rotate(' + ((360 - Number(use('rotate'))) % 360) + ')');
    if (m.blur) filters.push('blur(' + Math.min(150, Number(use('blur'))) + ')');
    if (m.sharpen) filters.push('sharpen(' + use('sharpen') + ',1,true)');
    if (m.brightness) filters.push('brightness(' + pct(use('brightness')) + ')');
    if (m.contrast) filters.push('contrast(' + pct(use('contrast')) + ')');
    if (m.saturation) filters.push('saturation(' + pct(use('saturation')) + ')');
    if (filters.length) parts.push('filters:' + filters.join(':'));
    Object.keys(m).forEach(function (k) { if (!used[k]) unmapped.push(k); });
    var source = isAbsolute(src) ? encodeURIComponent(src) : encodePath(src).replace(/^\\//, '');
    return { url: '/unsafe/' + parts.map(function (p) { return p + '/'; }).join('') + source, unmapped: unmapped, notes: notes };
  }

  var IMGPROXY_GRAVITY = { center: 'ce', centre: 'ce', top: 'no', bottom: 'so', left: 'we', right: 'ea',
    'top-left': 'nowe', 'top-right': 'noea', 'bottom-left': 'sowe', 'bottom-right': 'soea' };
  /** imgproxy, insecure form with a plain source; the format is the @extension. */
  function imgproxyUrl(src, m) {
    var opts = [], unmapped = [], notes = [], used = {};
    var use = function (k) { used[k] = true; return m[k]; };
    var fit = use('fit') || 'scale-down';
    var TYPES = { 'scale-down': ['fit', 0, 0], contain: ['fit', 1, 0], cover: ['fill', 1, 0], crop: ['fill-down', 0, 0], pad: ['fit', 1, 1], squeeze: ['force', 1, 0] };
    var tp = TYPES[fit] || TYPES['scale-down'];
    var w = m.width ? use('width') : '0', h = m.height ? use('height') : '0';
    var rs = 'rs:' + tp[0] + ':' + w + ':' + h;
    if (tp[1] || tp[2]) rs += ':' + tp[1] + (tp[2] ? ':1' : '');
    if (m.width || m.height || m.fit) opts.push(rs);
    if (m.dpr && Number(m.dpr) !== 1) opts.push('dpr:' + use('dpr'));
    else use('dpr');
    var g = use('gravity');
    if (g === 'auto' || g === 'face') { opts.push('g:sm'); if (g === 'face') notes.push('gravity=face: g:sm (imgproxy Pro has g:obj:face)'); }
    else if (g && IMGPROXY_GRAVITY[g]) opts.push('g:' + IMGPROXY_GRAVITY[g]);
    else if (g) { var f = focal(g); if (f) opts.push('g:fp:' + f.x + ':' + f.y); else unmapped.push('gravity'); }
    if (m.trim) {
      var t = trimBox(use('trim'));
      if (t && original.width) opts.push('c:' + (original.width - t.left - t.right) + ':' + (original.height - t.top - t.bottom) + ':nowe:' + t.left + ':' + t.top);
      else unmapped.push('trim (needs the source size)');
    }
    if (m.quality) opts.push('q:' + use('quality'));
    if (m.background) { var c = hexColor(use('background')); if (c) opts.push('bg:' + c); else unmapped.push('background (only hex or rgb() map)'); }
    if (m.rotate) opts.push('rot:' + use('rotate'));
    var flip = use('flip');
    if (flip) opts.push('fl:' + (flip.indexOf('h') !== -1 ? 1 : 0) + ':' + (flip.indexOf('v') !== -1 ? 1 : 0));
    if (m.blur) opts.push('bl:' + Number(use('blur')) / 2);
    if (m.sharpen) opts.push('sh:' + use('sharpen'));
    ['brightness', 'contrast', 'saturation'].forEach(function (k) { if (m[k]) { used[k] = true; unmapped.push(k + ' (imgproxy Pro only)'); } });
    var fmt = use('format'), ext = '';
    if (fmt === 'json') unmapped.push('format=json (/info is imgproxy Pro)');
    else if (fmt === 'auto') notes.push('format=auto: imgproxy picks WebP/AVIF itself with IMGPROXY_AUTO_WEBP/AVIF');
    else if (fmt) ext = fmt === 'jpg' ? 'jpeg' : fmt;
    Object.keys(m).forEach(function (k) { if (!used[k]) unmapped.push(k); });
    // imgproxy: local files are local:///path; a plain source with a query or @ must be escaped.
    var source = isAbsolute(src) ? src : 'local://' + src;
    if (/[?@#%\\s]/.test(source)) source = encodeURIComponent(source);
    return { url: '/insecure/' + opts.map(function (o) { return o + '/'; }).join('') + 'plain/' + source + (ext ? '@' + ext : ''), unmapped: unmapped, notes: notes };
  }

  var DIALECT_LABEL = { 'cf-query': 'the Cloudflare query form', 'cf-cdn-cgi': 'the Cloudflare /cdn-cgi/image/ form', thumbor: 'Thumbor', imgproxy: 'imgproxy' };
  /** Every dialect's URL for a state; preview is the one this deployment serves. */
  function dialectUrls(state) {
    var m = optMap(state);
    var out = {
      'cf-query': { url: cfQuery(state.src, state.opts), unmapped: [], notes: [] },
      'cf-cdn-cgi': { url: cfCdnCgi(state.src, state.opts), unmapped: [], notes: [] },
      thumbor: thumborUrl(state.src, m),
      imgproxy: imgproxyUrl(state.src, m),
    };
    var family = state.dialect.indexOf('cf-') === 0 ? 'cloudflare' : state.dialect;
    out.chosen = out[state.dialect] || out['cf-query'];
    // The preview goes through a dialect the deployment serves: the chosen one, else the
    // first enabled of Cloudflare (query form), Thumbor, imgproxy.
    var via = has(ENABLED, family) && out[state.dialect] ? state.dialect
      : has(ENABLED, 'cloudflare') ? 'cf-query' : has(ENABLED, 'thumbor') ? 'thumbor' : 'imgproxy';
    out.preview = out[via].url;
    out.previewNote = via === state.dialect ? 'Preview fetched with this URL.'
      : 'Preview fetched through ' + DIALECT_LABEL[via] + ': the ' + family + ' dialect is not enabled on this deployment (DIALECTS).';
    return out;
  }

  // ---- the hash: the whole state, so a link reproduces it ----------------
  function writeHash(state) {
    var q = new URLSearchParams();
    q.set('src', state.src);
    state.opts.forEach(function (kv) { q.set(kv[0], kv[1]); });
    q.set('dialect', state.dialect);
    if (state.snippet !== 'img') q.set('snippet', state.snippet);
    var hash = '#' + q.toString();
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }
  function setSelect(el, v) {
    var ok = [].some.call(el.options, function (o) { return o.value === v; });
    if (ok) el.value = v;
    return ok;
  }
  /** Applies a hash written by writeHash (or by hand); unknown keys are ignored. */
  function readHash() {
    if (location.hash.length < 2) return false;
    var q = new URLSearchParams(location.hash.slice(1));
    PARAMS.forEach(function (p) {
      var el = control(p.key), v = q.get(p.key);
      if (v === null) el.value = '';
      else if (el.tagName === 'SELECT') { if (!setSelect(el, v)) el.value = ''; }
      else el.value = v;
    });
    var src = q.get('src');
    if (src !== null && !setSelect($('source'), src)) { $('source').value = 'custom'; $('custom').value = src; }
    setSelect($('dialect'), q.get('dialect') || 'cf-query');
    setSelect($('snippet-kind'), q.get('snippet') || 'img');
    return true;
  }

  // ---- output helpers ----------------------------------------------------
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

  /** W3C Server-Timing "name;dur=1.2;desc=x, ...": a table and a bar of proportional segments. */
  function showTiming(header, totalMs) {
    var body = $('timing'), bar = $('timing-bar');
    body.textContent = '';
    bar.textContent = '';
    var stages = [];
    (header || '').split(',').forEach(function (metric) {
      var parts = metric.trim().split(';');
      if (!parts[0]) return;
      var dur = null, desc = '';
      parts.slice(1).forEach(function (p) {
        var kv = p.trim().split('=');
        var v = (kv[1] || '').replace(/^"|"$/g, '');
        if (kv[0] === 'dur') dur = Number(v);
        if (kv[0] === 'desc') desc = v;
      });
      row(body, [parts[0], dur === null ? '' : dur.toFixed(1) + ' ms', desc], ['', 'num', '']);
      // A "total" metric is the sum of the others, not a stage.
      if (dur !== null && dur > 0 && parts[0] !== 'total') stages.push({ name: parts[0], dur: dur });
    });
    row(body, ['total (browser)', totalMs.toFixed(1) + ' ms', 'fetch start to last byte'], ['', 'num', '']);
    var sum = stages.reduce(function (a, s) { return a + s.dur; }, 0);
    stages.forEach(function (s, i) {
      var seg = document.createElement('div');
      seg.className = 'seg c' + (i % 6);
      seg.style.flex = s.dur + ' 1 0px';
      seg.setAttribute('data-stage', s.name);
      seg.setAttribute('data-dur', String(s.dur));
      seg.title = s.name + ' ' + s.dur.toFixed(1) + ' ms (' + Math.round((100 * s.dur) / sum) + '%)';
      var label = document.createElement('span');
      label.textContent = s.name + ' ' + s.dur.toFixed(0) + ' ms';
      seg.appendChild(label);
      bar.appendChild(seg);
    });
    $('timing-sum').textContent = stages.length ? 'stages: ' + sum.toFixed(1) + ' ms' : 'no stage timings in this response (a cache hit says cache;desc=hit)';
  }

  function showHeaders(res) {
    var body = $('headers');
    body.textContent = '';
    ['content-type', 'cache-control', 'etag', 'vary', 'cache-tag', 'content-disposition', 'server-timing'].forEach(function (h) {
      var v = res.headers.get(h);
      if (v !== null) row(body, [h, v], ['', 'mono']);
    });
  }

  function showSaving() {
    var el = $('saving');
    if (!lastResult || !original.bytes) { el.textContent = '–'; return; }
    var s = 1 - lastResult.bytes / original.bytes;
    el.textContent = s >= 0 ? (100 * s).toFixed(1) + '% smaller' : (-100 * s).toFixed(1) + '% larger';
  }

  /** The original: its real size from format=json, its pixels as Thumbflare serves it with no options. */
  function loadOriginal(src) {
    if (original.src === src) return;
    original = { src: src, bytes: null, width: null, height: null, format: null };
    $('original-size').textContent = '…';
    $('original-dims').textContent = '';
    var mine = src;
    if (!has(ENABLED, 'cloudflare')) {
      $('original-size').textContent = 'unknown (needs the Cloudflare dialect: format=json)';
    } else fetch(cfQuery(src, [['format', 'json']]), { cache: 'no-store' }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (r) {
        if (original.src !== mine) return;
        if (!r.ok) { $('original-size').textContent = 'unavailable'; return; }
        // Our layout ({ source: {...} }) or Cloudflare's ({ original: { file_size, ... } }).
        var s = r.j.source || {}, o = r.j.original || {};
        original.bytes = s.bytes != null ? s.bytes : o.file_size;
        original.width = s.width != null ? s.width : o.width;
        original.height = s.height != null ? s.height : o.height;
        original.format = s.format || o.format || '';
        $('original-size').textContent = original.bytes != null ? formatBytes(original.bytes) : 'unknown';
        $('original-dims').textContent = original.width + ' × ' + original.height + ' px ' + original.format;
        showSaving();
        render();
      }).catch(function () { if (original.src === mine) $('original-size').textContent = 'unavailable'; });
    var plainUrl = dialectUrls({ src: src, dialect: 'cf-query', opts: [] }).preview;
    fetch(plainUrl, { headers: { Accept: DATA.accept }, cache: 'no-store' }).then(function (r) {
      return r.ok ? r.blob() : null;
    }).then(function (blob) {
      if (original.src !== mine || !blob) return;
      if (originalUrl) URL.revokeObjectURL(originalUrl);
      originalUrl = URL.createObjectURL(blob);
      var img = $('original');
      img.onload = function () { img.hidden = false; img.setAttribute('data-src', mine); };
      img.src = originalUrl;
    }).catch(function () { /* the result side shows errors */ });
  }

  // ---- snippets ----------------------------------------------------------
  function attr(v) { return String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'); }
  function js(v) { return JSON.stringify(v); }
  function without(opts, keys) { return opts.filter(function (kv) { return !has(keys, kv[0]); }); }
  /** opts with key set to value, in table order (so width stays first). */
  function withOpt(opts, key, value) {
    var order = PARAMS.map(function (p) { return p.key; });
    return without(opts, [key]).concat([[key, String(value)]])
      .sort(function (a, b) { return order.indexOf(a[0]) - order.indexOf(b[0]); });
  }

  function snippet(kind, state) {
    var base = location.origin, m = optMap(state), src = state.src;
    var w = Number(m.width) || (lastResult && lastResult.width) || 640;
    var h = m.height ? Number(m.height) : null;
    var dispH = h || (lastResult && lastResult.width ? Math.round((lastResult.height * w) / lastResult.width) : null);
    var widths = [0.5, 1, 1.5, 2].map(function (f) { return Math.min(DATA.maxDimension, Math.round(w * f)); })
      .filter(function (v, i, a) { return a.indexOf(v) === i; });
    var plain = without(state.opts, ['dpr']);
    function at(width, opts) {
      var o = withOpt(opts, 'width', width);
      if (h) o = withOpt(o, 'height', Math.round((h * width) / w));
      return base + cfQuery(src, o);
    }
    function srcset(opts) { return widths.map(function (x) { return at(x, opts) + ' ' + x + 'w'; }).join(', '); }
    var size = ' width="' + w + '"' + (dispH ? ' height="' + dispH + '"' : '');
    var sizes = '(max-width: ' + w + 'px) 100vw, ' + w + 'px';
    var extras = without(state.opts, ['width', 'height', 'dpr', 'quality', 'format']);
    var extraQuery = extras.map(function (kv) { return kv[0] + '=' + encodeURIComponent(kv[1]); }).join('&');
    var extraCdn = extras.map(function (kv) { return kv[0] + '=' + cdnValue(kv[1]); }).join(',');
    if (kind === 'img') {
      return '<img src="' + attr(at(w, plain)) + '"\\n     srcset="' + attr(srcset(plain)) + '"\\n     sizes="' + sizes + '"' + size +
        ' alt="" loading="lazy" decoding="async">';
    }
    if (kind === 'picture') {
      var fallback = m.format === 'png' ? 'png' : 'jpeg';
      return '<picture>\\n' +
        '  <source type="image/avif" srcset="' + attr(srcset(withOpt(plain, 'format', 'avif'))) + '" sizes="' + sizes + '">\\n' +
        '  <source type="image/webp" srcset="' + attr(srcset(withOpt(plain, 'format', 'webp'))) + '" sizes="' + sizes + '">\\n' +
        '  <img src="' + attr(at(w, withOpt(plain, 'format', fallback))) + '"\\n       srcset="' + attr(srcset(withOpt(plain, 'format', fallback))) +
        '" sizes="' + sizes + '"' + size + ' alt="" loading="lazy" decoding="async">\\n</picture>';
    }
    var q = m.quality ? Number(m.quality) : null;
    if (kind === 'next') {
      var loader = extras.length
        ? '// thumbflare-loader.mjs: the package loader plus this transform\\'s other options\\n' +
          "import { thumbflareUrl } from 'thumbflare/next';\\n\\n" +
          'export default function thumbflareLoader(params) {\\n' +
          '  return thumbflareUrl(params, process.env.NEXT_PUBLIC_THUMBFLARE_URL) + ' + js('&' + extraQuery) + ';\\n}\\n'
        : "// thumbflare-loader.mjs\\nexport { default } from 'thumbflare/next';\\n";
      return '// next.config.mjs\\n/** @type {import(\\'next\\').NextConfig} */\\nconst nextConfig = {\\n' +
        "  images: { loader: 'custom', loaderFile: './thumbflare-loader.mjs' },\\n};\\nexport default nextConfig;\\n\\n" +
        loader + '\\n# .env (inlined at build time)\\nNEXT_PUBLIC_THUMBFLARE_URL=' + base + '\\n\\n' +
        '// in a page (next/image picks the widths; the loader always asks for format=auto)\\n' +
        "import Image from 'next/image';\\n" +
        '<Image src=' + js(src) + ' width={' + w + '}' + (dispH ? ' height={' + dispH + '}' : '') + (q ? ' quality={' + q + '}' : '') + ' alt="" />';
    }
    if (kind === 'nuxt') {
      var mods = extras.map(function (kv) { return (/^[a-z]+$/i.test(kv[0]) ? kv[0] : js(kv[0])) + ': ' + js(kv[1]); }).join(', ');
      return '// nuxt.config.ts: Nuxt Image\\'s cloudflare provider writes /cdn-cgi/image/ URLs, which Thumbflare serves\\n' +
        'export default defineNuxtConfig({\\n' +
        "  modules: ['@nuxt/image'],\\n" +
        '  image: { provider: \\'cloudflare\\', cloudflare: { baseURL: ' + js(base) + ' } },\\n})\\n\\n' +
        '<NuxtImg provider="cloudflare" src="' + attr(src) + '" width="' + w + '"' + (h ? ' height="' + h + '"' : '') +
        (q ? ' quality="' + q + '"' : '') + (m.format ? ' format="' + attr(m.format) + '"' : '') +
        (mods ? "\\n         :modifiers=\\"{ " + attr(mods).replace(/&quot;/g, "'") + ' }"' : '') + ' />';
    }
    if (kind === 'astro') {
      return '// astro.config.mjs: an external image service (Astro Image Service API) pointing at Thumbflare\\n' +
        "import { defineConfig } from 'astro/config';\\n\\nexport default defineConfig({\\n  image: {\\n    service: {\\n" +
        "      entrypoint: './src/thumbflare-image-service.mjs',\\n" +
        '      config: { baseURL: ' + js(base) + ', options: ' + js(extraCdn) + ' },\\n    },\\n  },\\n});\\n\\n' +
        '// src/thumbflare-image-service.mjs\\n' +
        "import { baseService } from 'astro/assets';\\n\\n" +
        'export default {\\n  ...baseService,\\n  getURL(options, imageConfig) {\\n' +
        '    const { baseURL, options: extra } = imageConfig.service.config;\\n' +
        "    const src = typeof options.src === 'string' ? options.src : options.src.src;\\n" +
        '    const ops = [extra];\\n' +
        "    if (options.width) ops.push('width=' + options.width);\\n" +
        "    if (options.height) ops.push('height=' + options.height);\\n" +
        "    if (options.quality) ops.push('quality=' + options.quality);\\n" +
        "    if (options.format) ops.push('format=' + options.format);\\n" +
        "    return baseURL + '/cdn-cgi/image/' + ops.filter(Boolean).join(',') + '/' + src.replace(/^\\\\//, '');\\n" +
        '  },\\n};\\n\\n' +
        '// in a page\\n' +
        "import { Image } from 'astro:assets';\\n" +
        '<Image src=' + js(src) + ' width={' + w + '}' + (dispH ? ' height={' + dispH + '}' : '') + (q ? ' quality={' + q + '}' : '') +
        (m.format && m.format !== 'json' ? ' format=' + js(m.format) : '') + ' alt="" />\\n\\n' +
        "// Astro's own Cloudflare service (adapter: cloudflare({ imageService: 'cloudflare' })) writes relative\\n" +
        '// /cdn-cgi/image/ URLs: it reaches Thumbflare only if the Worker answers that path on the site\\'s own host.';
    }
    return '';
  }

  // ---- the page ----------------------------------------------------------
  /** Writes URLs, notes, snippet and hash for the current state; no network. */
  function render() {
    var state = readState();
    writeHash(state);
    if (!state.src) return null;
    var urls = dialectUrls(state);
    var link = $('result-url');
    link.textContent = location.origin + urls.chosen.url;
    link.href = urls.chosen.url;
    $('preview-note').textContent = urls.previewNote;
    var unmapped = urls.chosen.unmapped.concat(urls.chosen.notes);
    $('unmapped').textContent = unmapped.length ? 'Not expressible in this dialect: ' + unmapped.join('; ') : '';
    $('unmapped').hidden = unmapped.length === 0;
    $('snippet').textContent = snippet(state.snippet, state);
    return { state: state, urls: urls };
  }

  function showError(text) {
    var err = $('error');
    err.textContent = text;
    err.hidden = false;
    // Keep the last good image beside the error, marked as stale.
    $('result-fig').classList.toggle('stale', !$('result').hidden);
  }
  function clearError() {
    $('error').hidden = true;
    $('error').textContent = '';
    $('result-fig').classList.remove('stale');
  }

  function update() {
    clearTimeout(timer);
    var r = render();
    var link = $('result-url');
    if (!r) {
      link.textContent = '';
      link.removeAttribute('href');
      setStatus('Pick a sample or enter a URL or path.');
      return;
    }
    loadOriginal(r.state.src);
    var url = r.urls.preview;
    if (controller) controller.abort();
    var mine = ++seq;
    controller = new AbortController();
    setStatus('Loading…');
    var started = performance.now();
    fetch(url, { headers: { Accept: DATA.accept }, signal: controller.signal, cache: 'no-store' })
      .then(function (res) { return res.blob().then(function (blob) { return { res: res, blob: blob }; }); })
      .then(function (x) {
        if (mine !== seq) return;
        var res = x.res, blob = x.blob, total = performance.now() - started;
        var type = res.headers.get('content-type') || '';
        showHeaders(res);
        showTiming(res.headers.get('server-timing'), total);
        $('http').textContent = String(res.status);
        if (res.ok && type.indexOf('image/') === 0) {
          var img = $('result');
          var previous = objectUrl;
          objectUrl = URL.createObjectURL(blob);
          img.onload = function () {
            if (mine !== seq) return;
            clearError();
            $('dims').textContent = img.naturalWidth + ' × ' + img.naturalHeight + ' px';
            $('size').textContent = formatBytes(blob.size);
            $('result-size').textContent = formatBytes(blob.size);
            $('type').textContent = type;
            img.setAttribute('data-url', url);
            $('text').hidden = true;
            img.hidden = false;
            lastResult = { bytes: blob.size, width: img.naturalWidth, height: img.naturalHeight };
            showSaving();
            render();
            setStatus('Done in ' + total.toFixed(0) + ' ms.');
            if (previous) URL.revokeObjectURL(previous);
          };
          img.onerror = function () { if (mine === seq) { setStatus('The browser could not decode this ' + type + '.', true); showError('Not decodable: ' + type); } };
          img.src = objectUrl;
          return;
        }
        return blob.text().then(function (text) {
          if (mine !== seq) return;
          var message = '';
          try { message = JSON.parse(text).error.message; } catch (e) { /* no error body */ }
          if (res.ok) {
            var pretty = text;
            try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
            clearError();
            $('text').textContent = pretty;
            $('text').hidden = false;
            $('size').textContent = formatBytes(blob.size);
            $('type').textContent = type || '(none)';
            setStatus('Done in ' + total.toFixed(0) + ' ms (not an image: ' + type + ').');
          } else {
            var line = 'HTTP ' + res.status + (message ? ': ' + message : '');
            setStatus(line, true);
            showError(line);
          }
        });
      })
      .catch(function (err) {
        if (err && err.name === 'AbortError') return;
        if (mine === seq) { setStatus('Request failed: ' + (err && err.message), true); showError('Request failed: ' + (err && err.message)); }
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  }

  $('controls').addEventListener('submit', function (e) { e.preventDefault(); update(); });
  $('custom').addEventListener('input', function () {
    if ($('custom').value.trim() !== '') $('source').value = 'custom';
    later();
  });
  $('source').addEventListener('change', update);
  $('dialect').addEventListener('change', update);
  $('snippet-kind').addEventListener('change', render);
  PARAMS.forEach(function (p) {
    var el = control(p.key);
    el.addEventListener(el.tagName === 'SELECT' ? 'change' : 'input', el.tagName === 'SELECT' ? update : later);
    var picker = $('pick-' + p.key);
    if (picker) picker.addEventListener('input', function () { el.value = picker.value; later(); });
  });
  $('copy').addEventListener('click', function () {
    if (navigator.clipboard) navigator.clipboard.writeText($('snippet').textContent).then(function () { $('copy').textContent = 'Copied'; }, function () {});
  });
  window.addEventListener('hashchange', function () { if (readHash()) update(); });
  readHash();
  update();
})();
`;
