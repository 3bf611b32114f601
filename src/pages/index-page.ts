/**
 * @module pages/index-page
 * What `GET /` answers. With PLAYGROUND on (the default) the interactive
 * playground (pages/playground.ts); with PLAYGROUND=false (production) a short
 * page: name, version, a working example and a pointer to the docs.
 * Both are built from the config alone: nothing from the request is echoed into HTML.
 */
import type { Config } from '../config';
import { renderPlaygroundPage } from './playground';

export const VERSION = '0.1.0';

/** The page for `GET /`: the playground when `config.playground`, else the short index. */
export function renderIndexPage(config: Config): string {
  return config.playground ? renderPlaygroundPage(config, VERSION) : renderAboutPage(config);
}

/** The short static index page (PLAYGROUND=false). */
export function renderAboutPage(config: Config): string {
  // With an ORIGIN we cannot know a path that exists there; the bundled sample only works without one.
  const example = config.origin
    ? '<p>Example: <code>/&lt;path on your ORIGIN&gt;?width=300&amp;format=auto</code></p>'
    : '<p>Example: <a href="/samples/landscape.jpg?width=300">/samples/landscape.jpg?width=300</a></p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Thumbflare ${VERSION}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
</head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;line-height:1.5">
<h1>Thumbflare ${VERSION}</h1>
<p>URL-based image transformer on Cloudflare Workers.</p>
${example}
<p>URL forms: <code>/&lt;path&gt;?width=640</code>, <code>/?url=&lt;source&gt;&amp;width=640</code>,
<code>/cdn-cgi/image/width=640,format=auto/&lt;source&gt;</code>. Options and errors: see <code>docs/api.md</code> in the repository.</p>
</body></html>`;
}
