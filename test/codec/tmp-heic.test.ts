import { expect, it } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import { probeImage } from '../../src/probe';
import { ORIGIN } from '../support/worker';
it('heic', async () => {
  const b = new Uint8Array(await (await fetch(`${ORIGIN}/formats/tmp-g.heic`)).arrayBuffer());
  const p = probeImage(b);
  console.log(JSON.stringify(p));
  const r = await decodeImage(b, 'heic');
  console.log(r.width, r.height, r.data.slice(0, 8), r.data.slice(-8));
  expect(r.width).toBe(64);
});
