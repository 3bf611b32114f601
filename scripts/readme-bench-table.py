"""Renders the README's benchmark section from bench/results.json (run after `npm run bench`)."""
import json, pathlib
root = pathlib.Path(__file__).resolve().parent.parent
r = json.loads((root / 'bench/results.json').read_text())
rows = []
for c in r['cases']:
    if 'tfComputeMs' not in c:
        continue
    ref = f"{c['tfVsRef']['ssim']:.3f} / {c['sharpVsRef']['ssim']:.3f}"
    two = f"{c['sharpInProcessMs']:.0f}" if 'sharpInProcessMs' in c else '—'
    rows.append(f"| {c['label']} | {c['tfComputeMs']:.0f} | {c['tfMs']:.0f} | {c['sharpMs']:.0f} | {two} | {c['computeRatio']:.2f} | {c['ratio']:.2f} | {c.get('tfDirectMs', float('nan')):.0f} | {c.get('directRatio', float('nan')):.2f} | {c['bytesRatio']:.2f} | {c['psnr']:.1f} | {ref} | {c['peakWasmBytes'] / 2**20:.1f} |")
conc, m, cold = r['concurrency'], r['machine'], r['coldStart']
first_formats = ''
if cold.get('perFormat'):
    first_formats = ('\nFirst request for each output format on that fresh isolate (1080p JPEG -> 640 w; its encoder is '
                     'instantiated then), then a second request of that format; ms, encode ms in brackets:\n\n'
                     '| format | first | second |\n| --- | ---: | ---: |\n' +
                     '\n'.join(f"| {f['format']} | {f['firstMs']:.0f} ({f['firstEncodeMs'] or 0:.0f}) | {f['warmMs']:.0f} ({f['warmEncodeMs'] or 0:.0f}) |" for f in cold['perFormat']))
# Runs before 2026-12-02 used the wrangler dev CLI, whose DevTools inspector slowed large-source requests (docs/performance.md).
inspector = 'wrangler dev without its DevTools inspector' if 'inspector' in r['method'] and not r['method']['inspector'].startswith('wrangler dev CLI') else 'this run: the wrangler dev CLI with its DevTools inspector, which slows large-source requests, see below'
section = f"""## Benchmark

`npm run bench` (about three minutes): the real Worker under `wrangler dev` with a
loopback origin, against sharp (libvips, `concurrency(1)`) in the same run,
alternating, 7 rounds after a warm-up, medians. "sharp" runs pinned to one core
(`taskset`, in a child process): at `concurrency(1)` libvips still encodes large
outputs on a second, write-behind thread, and an isolate has one. "sharp 2
threads" is the same job unpinned in the bench process, as earlier tables ran it. Full table with every target
met or missed: [bench/RESULTS.md](bench/RESULTS.md); method: [bench/README.md](bench/README.md).
Latest run: {r['date'][:10]}, {m['cores']} x {m['cpu']}, Node {m['node']}, sharp {r['versions']['sharp']} (libvips {r['versions']['vips']}).

"Compute" is the Worker's decode + transform + encode from `Server-Timing` (what
Workers bill as CPU); "end to end" adds the loopback origin fetch, the cache
lookups and wrangler's local proxy ({inspector}); "direct" is the same request sent to the
Worker's own workerd socket, past `wrangler dev`'s ProxyWorker, a dev-only hop
that production does not have (docs/performance.md). SSIM ref compares each output with an
unencoded Lanczos3 resize of the source.

| case | TF compute ms | TF end to end ms | sharp ms | sharp 2 threads ms | compute ratio | end-to-end ratio | TF direct ms | direct ratio | bytes vs sharp | PSNR vs sharp dB | SSIM ref TF / sharp | peak WASM MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |
""" + "\n".join(rows) + f"""

Concurrency (12 MP -> 300 w, 4 in flight): {conc['tfImagesPerSec']:.1f} images/s against sharp's {conc['sharpImagesPerSec']:.1f} (sharp uses both cores; an isolate one thread).
Bundle: {r['bundle']['gzipBytes'] / 1024:.0f} KiB gzip. Cold start (first request of a fresh Worker, 12 MP -> 300 w): {cold['firstRequestMs']:.0f} ms against {cold['warmMedianMs']:.0f} ms warm.
""" + first_formats + """

""" + (root / 'bench' / 'notes.md').read_text()
p = root / 'README.md'
s = p.read_text()
if '## Benchmark' in s:
    a = s.index('## Benchmark'); b = s.index('\n## ', a + 5) + 1
    s = s[:a] + section + s[b:]
else:
    s = s.replace('## Colour and metadata', section + '## Colour and metadata', 1)
p.write_text(s)
