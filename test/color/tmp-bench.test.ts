import { it } from 'vitest';
import { planColour } from '../../src/color';
import { callWorker } from '../support/worker';
const timing = (h: string | null) => Object.fromEntries((h ?? '').split(',').map((p) => { const m = /(\w+);dur=([\d.]+)/.exec(p); return m ? [m[1], Number(m[2])] : ['x', 0]; }));
it('bench', async () => {
  const paths = ['/gen/12mp.jpg?width=300', '/gen/p3-12mp.jpg?width=300'];
  for (const p of paths) await callWorker('/u/warm' + p);
  const res: Record<string, number[]> = { a: [], b: [] };
  for (let i = 0; i < 9; i++) {
    for (const [k, p] of (i % 2 ? [['b', paths[1]], ['a', paths[0]]] : [['a', paths[0]], ['b', paths[1]]]) as [string, string][]) {
      const r = await callWorker(`/u/t${i}${p}`);
      await r.arrayBuffer();
      const t = timing(r.headers.get('server-timing'));
      res[k]!.push((t.decode ?? 0) + (t.transform ?? 0) + (t.encode ?? 0));
    }
  }
  const med = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1]!;
  console.log('BENCH plain', med(res.a!), 'p3', med(res.b!), res);
  // Planning cost alone (extract + parse + identity check), and the matrix conversion of a 300x225 raster.
  const p3 = new Uint8Array(await (await fetch(`${(await import('../support/worker')).ORIGIN}/gen/p3-12mp.jpg`)).arrayBuffer());
  let t = performance.now();
  for (let i = 0; i < 50; i++) await planColour(p3, 'jpeg', 'srgb');
  const plan = (performance.now() - t) / 50;
  const job = await planColour(p3, 'jpeg', 'srgb');
  const r = { width: 300, height: 225, data: new Uint8Array(300 * 225 * 4).map((_, i) => (i * 7) & 255) };
  t = performance.now();
  for (let i = 0; i < 50; i++) await job.apply(r, 'jpeg');
  console.log('BENCH plan ms', plan.toFixed(3), 'apply 300x225 ms', ((performance.now() - t) / 50).toFixed(3));
  const big = { width: 4000, height: 3000, data: new Uint8Array(4000 * 3000 * 4) };
  t = performance.now();
  await job.apply(big, 'jpeg');
  console.log('BENCH apply 12MP ms', (performance.now() - t).toFixed(1));
});
