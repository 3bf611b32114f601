/**
 * @module test/support/images
 * Reads a response's image for assertions: its format by magic bytes, its size
 * from the header, and its pixels through the codec layer (which test/codec
 * checks independently against libvips references).
 */
import { expect } from 'vitest';
import { decodeImage } from '../../src/codec/decode';
import type { Raster } from '../../src/codec/types';
import { probeImage } from '../../src/probe';
import { sniffFormat } from './worker';

export interface ImageResult {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  format: string;
  width: number;
  height: number;
}

export async function readImage(res: Response): Promise<ImageResult> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${new TextDecoder().decode(bytes.subarray(0, 300))}`);
  const format = sniffFormat(bytes);
  const probe = probeImage(bytes);
  return { status: res.status, headers: res.headers, bytes, format, width: probe.width, height: probe.height };
}

export function decodePixels(img: ImageResult): Promise<Raster> {
  return decodeImage(img.bytes, img.format as 'jpeg', {});
}

/** Mean RGBA of a raster region, for "this side is red" style checks with tolerance. */
export function meanColor(r: Raster, x0 = 0, y0 = 0, w = r.width, h = r.height): [number, number, number, number] {
  const sum = [0, 0, 0, 0];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const i = (y * r.width + x) * 4;
      for (let c = 0; c < 4; c++) sum[c]! += r.data[i + c]!;
    }
  }
  return sum.map((v) => v / (w * h)) as [number, number, number, number];
}

export async function readError(res: Response): Promise<{ status: number; code: string; message: string; param?: string }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { error: { status: number; code: string; message: string; param?: string } };
  expect(body.error.status).toBe(res.status);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}
