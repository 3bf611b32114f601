/**
 * @module pages/index-page
 * The page `GET /` answers: name, version, a working example and a pointer to
 * the docs. Static text only: nothing from the request is echoed into HTML.
 */
import type { Config } from '../config';

export const VERSION = '0.1.0';

export function renderIndexPage(config: Config): string {
  const example = config.origin ? '/?url=/&width=300' : '/samples/landscape.jpg?width=300';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Thumbflare ${VERSION}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;line-height:1.5">
<h1>Thumbflare ${VERSION}</h1>
<p>URL-based image transformer on Cloudflare Workers.</p>
<p>Example: <a href="${example}">${example}</a></p>
<p>URL forms: <code>/&lt;path&gt;?width=640</code>, <code>/?url=&lt;source&gt;&amp;width=640</code>,
<code>/cdn-cgi/image/width=640,format=auto/&lt;source&gt;</code>. Options and errors: see <code>docs/api.md</code> in the repository.</p>
</body></html>`;
}
