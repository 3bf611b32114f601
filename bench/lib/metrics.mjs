/**
 * Image-quality and statistics helpers.
 *  - decodeRgb(): any image sharp reads -> raw 8-bit sRGB, alpha flattened onto a
 *    fixed grey so transparent pixels (whose colour is undefined) compare equal.
 *  - psnr(): over all RGB samples.
 *  - ssim(): Wang et al. 2004 on BT.601 luma, 11x11 Gaussian window (sigma 1.5),
 *    K1 = 0.01, K2 = 0.03, L = 255; mean over the valid (unpadded) region.
 */
import sharp from 'sharp';

export const FLATTEN_BG = { r: 128, g: 128, b: 128 };

/** JPEG XL through libjxl's decoder (@jsquash/jxl): sharp's prebuilt libvips cannot read it. */
async function jxlToRawInput(buf) {
  const { readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  jxlDecoder ??= (await import(require.resolve('@jsquash/jxl/codec/dec/jxl_dec.js'))).default({
    noInitialRun: true, wasmBinary: readFileSync(require.resolve('@jsquash/jxl/codec/dec/jxl_dec.wasm')), print() {}, printErr() {},
  });
  globalThis.ImageData ??= class { constructor(data, width, height) { Object.assign(this, { data, width, height }); } };
  const img = (await jxlDecoder).decode(buf);
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } });
}
let jxlDecoder;

export async function decodeRgb(buf, { width, height } = {}) {
  let img = (sniff(buf) === 'jxl' ? await jxlToRawInput(buf) : sharp(buf)).flatten({ background: FLATTEN_BG }).toColourspace('srgb').removeAlpha();
  if (width && height) img = img.resize(width, height, { fit: 'fill' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decodeRgb: expected 3 channels, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

export function psnr(a, b) {
  if (a.length !== b.length) throw new Error('psnr: size mismatch');
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function luma(rgb, n) {
  const y = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) y[i] = 0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2];
  return y;
}

const KERNEL = (() => {
  const k = new Float64Array(11);
  let s = 0;
  for (let i = 0; i < 11; i++) s += k[i] = Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5));
  for (let i = 0; i < 11; i++) k[i] /= s;
  return k;
})();

/** Separable 11x11 Gaussian filter, valid region only: out is (w-10) x (h-10). */
function blur(src, w, h) {
  const ow = w - 10;
  const oh = h - 10;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < 11; k++) s += KERNEL[k] * src[row + x + k];
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < 11; k++) s += KERNEL[k] * tmp[(y + k) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

export function ssim(a, b, width, height) {
  const n = width * height;
  if (a.length !== n * 3 || b.length !== n * 3) throw new Error('ssim: size mismatch');
  if (width < 11 || height < 11) throw new Error('ssim: image smaller than the window');
  const x = luma(a, n);
  const y = luma(b, n);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const mx = blur(x, width, height);
  const my = blur(y, width, height);
  const sxx = blur(xx, width, height);
  const syy = blur(yy, width, height);
  const sxy = blur(xy, width, height);
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i];
    const uy = my[i];
    const vx = sxx[i] - ux * ux;
    const vy = syy[i] - uy * uy;
    const cxy = sxy[i] - ux * uy;
    sum += ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
  }
  return sum / mx.length;
}

/**
 * Zone-plate aliasing: RMS deviation (0..255 luma) from the region's mean, over
 * output pixels whose source frequency is above 1.25x the output Nyquist. An
 * ideal low-pass resize leaves that region flat grey (0); visible moiré rings
 * give tens of levels.
 */
export function zonePlateAlias(rgb, width, height, sourceSize) {
  const scale = sourceSize / width; // source px per output px
  // Source local frequency f(r_src) = 0.5 r_src / (sourceSize/2) cycles/src px; output Nyquist = 0.5/scale.
  const rSrc = (1.25 * (sourceSize / 2)) / scale;
  const rOut = rSrc / scale;
  const cx = width / 2;
  const cy = height / 2;
  const vals = [];
  for (let yy = 0; yy < height; yy++) {
    for (let xx = 0; xx < width; xx++) {
      if (Math.hypot(xx + 0.5 - cx, yy + 0.5 - cy) < rOut) continue;
      if (xx < 2 || yy < 2 || xx >= width - 2 || yy >= height - 2) continue; // edge effects
      const j = (yy * width + xx) * 3;
      vals.push(0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2]);
    }
  }
  const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
  return Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length);
}

export function median(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in 0..100. */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Identifies an encoded image by its magic bytes. */
export function sniff(b) {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG') return 'png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && b.toString('latin1', 8, 12).startsWith('avi')) return 'avif';
  if (b.length >= 3 && b.toString('latin1', 0, 3) === 'GIF') return 'gif';
  if ((b[0] === 0xff && b[1] === 0x0a) || b.toString('latin1', 4, 8) === 'JXL ') return 'jxl';
  return 'unknown';
}
