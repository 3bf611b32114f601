import { describe, expect, it } from 'vitest';
import { callWorker, sniffFormat } from '../support/worker';

describe('smoke', () => {
  it('resizes a corpus jpeg', async () => {
    const res = await callWorker('/corpus/jpeg/hopper.jpg?width=64');
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) console.log(new TextDecoder().decode(body));
    expect(res.status).toBe(200);
    expect(sniffFormat(body)).toBe('jpeg');
    console.log([...res.headers]);
  });
  it('samples', async () => {
    const res = await callWorker('/samples/landscape.jpg?width=300', { env: { ORIGIN: '' } });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) console.log(new TextDecoder().decode(body));
    expect(res.status).toBe(200);
  });
});
