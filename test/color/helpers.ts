/**
 * @module test/color/helpers
 * Fixture access (served by the loopback origin under /colour/) and the colour
 * error metric the colour tests share.
 */
import { expect } from 'vitest';
import type { Raster } from '../../src/codec/types';
import { ORIGIN } from '../support/worker';

export async function fixture(name: string): Promise<Uint8Array> {
  const res = await fetch(`${ORIGIN}/colour/${name}`);
  if (res.status !== 200) throw new Error(`fixture ${name}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Mean absolute difference per colour channel (0..255) of two same-size RGBA rasters. */
export function meanError(a: Raster, b: Raster): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    sum += Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!);
  }
  return sum / ((a.data.length / 4) * 3);
}

export const pixel = (r: Raster, x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3));

