/**
 * @module pipeline/photon
 * Runs a Photon operation on a raster: copies the pixels into Photon's WASM
 * memory, applies the in-place operation, copies them back and frees the Photon
 * image on every path, also when the operation throws.
 */
import { PhotonImage } from '@cf-wasm/photon';
import type { Raster } from '../codec/types';

export function runPhoton(r: Raster, apply: (img: PhotonImage) => void): Raster {
  const img = new PhotonImage(r.data, r.width, r.height);
  try {
    apply(img);
    return { width: img.get_width(), height: img.get_height(), data: img.get_raw_pixels() };
  } finally {
    img.free();
  }
}
