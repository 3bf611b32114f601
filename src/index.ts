import { Hono } from 'hono';
import { PhotonImage } from '@cf-wasm/photon';
const app = new Hono();
app.get('/', (c) => { const i = new PhotonImage(new Uint8Array(4*4*4), 4, 4); const w = i.get_width(); i.free(); return c.text('ok ' + w); });
export default app;
