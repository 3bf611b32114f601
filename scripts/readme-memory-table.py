"""Renders the README's measured-memory tables from what the tests recorded:
test/limits/memory.json (test/limits/memory.test.ts) and
test/limits/output-memory.json (test/limits/output-memory.test.ts, the
fit x format x size table). Run after `npx vitest run test/limits`."""
import json, pathlib
root = pathlib.Path(__file__).resolve().parent.parent
MiB = 2 ** 20

mem = json.loads((root / 'test/limits/memory.json').read_text())
seen, rows = set(), []
for r in mem['rows']:
    if r['path'] in seen:
        continue
    seen.add(r['path'])
    fb = f" ({r['fallback']})" if r.get('fallback') else ''
    rows.append(f"| `{r['path']}` | {r['width']}x{r['height']} {r['format']}{fb} | {r['wasmBytes'] / MiB:.1f} MiB | {r['peakBytes'] / MiB:.1f} MiB |")

out = json.loads((root / 'test/limits/output-memory.json').read_text())
columns = ['none', 'auto (AVIF+WebP)', 'auto (WebP)', 'auto (legacy)', 'jpeg', 'png', 'webp', 'avif']
grid, order, worst = {}, [], 0
for r in out['rows']:
    label, fmt = r['case'].rsplit(' format ', 1)
    if label not in grid:
        grid[label] = {}
        order.append(label)
    if r['status'] == 413:
        cell = '413'
    else:
        worst = max(worst, r['peakBytes'])
        cell = f"{r['format']}{'*' if r.get('fallback') else ''} {r['peakBytes'] / MiB:.0f}"
    grid[label][fmt] = cell
matrix = [f"| {label} | " + ' | '.join(grid[label].get(c, '') for c in columns) + ' |' for label in order]
served = sum(1 for r in out['rows'] if r['status'] == 200)

section = f"""Measured peaks (WASM + JS pixel buffers, `npx vitest run test/limits`, this
machine, {mem['date'][:10]}; rendered by `scripts/readme-memory-table.py`):

| request | output | peak WASM | peak WASM + JS |
| --- | --- | ---: | ---: |
""" + "\n".join(rows) + f"""

**Every output** (`test/limits/output-memory.test.ts`, {out['date'][:10]}): each fit
mode x format choice x size up to `MAX_DIMENSION`, for a 1920x1080 JPEG and a
600x400 alpha PNG, plus dpr, rotate, trim, background and GIF first frames.
{len(out['rows'])} requests: {served} served, every peak under 128 MiB (largest
{worst / MiB:.1f} MiB), the rest the documented 413. A cell is the served format
and its measured peak in MiB (`*`: an explicit format fell back, with
`X-Thumbflare-Format-Fallback`), or 413.

| source, fit, size | none | auto (AVIF+WebP) | auto (WebP) | auto (legacy) | jpeg | png | webp | avif |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
""" + "\n".join(matrix) + "\n"

p = root / 'README.md'
s = p.read_text()
start = '<!-- memory-table:start -->\n'
end = '<!-- memory-table:end -->\n'
a = s.index(start) + len(start)
b = s.index(end)
p.write_text(s[:a] + section + s[b:])
