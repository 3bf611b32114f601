/**
 * @module color
 * Colour management for every source: what the source's colour description
 * is (color/extract), and how its decoded RGBA becomes sRGB (color/matrix
 * exactly in TS for matrix/TRC spaces, color/lcms for LUT and CMYK profiles),
 * or, with `color-profile=keep`, which profile the output must carry instead.
 *
 * The rule every branch keeps: pixels leave either converted to sRGB, or with
 * the profile that describes them embedded. A profile is never dropped while
 * its numbers stay.
 *
 * Where it runs: CMYK at decode (the decoder hands over ink values, there is
 * no RGB before the profile is applied); everything else as the pipeline step
 * right after resize (pipeline/color), on the output's pixels rather than the
 * source's: a 12 MP photo to 300 px converts 68 thousand pixels instead of 12
 * million. Resampling before conversion mixes encoded rather than converted
 * values; measured against sharp (which converts first) that costs well under
 * the 2/255 mean-error budget (test/color), because both transforms are
 * smooth and the resampler's weights sum to one.
 */
import type { OutputFormat, Raster, SourceFormat } from '../codec/types';
import { readSourceColour, type Cicp, type SourceColour } from './extract';
import { parseIcc, type Curve } from './icc';
import { lcmsToSrgb, type LcmsInput } from './lcms';
import { applyMatrixTransformSimd } from './simd/convert-simd';
import {
  buildMatrixTransform,
  isIdentity,
  matrixFromColorants,
  matrixFromPrimaries,
  SRGB_CURVE,
  SRGB_PRIMARIES,
  type Chromaticities,
  type MatrixTransform,
} from './matrix';

export type ColourMode = 'srgb' | 'keep';

/** Converts 4-byte pixels in place; `observe` is told when any extra WASM memory is at its peak. */
type Convert = (data: Uint8Array, observe?: () => void) => Promise<void>;

/** Output formats whose encoder output we can embed an ICC profile in (color/embed). */
export const EMBEDS_ICC: ReadonlySet<OutputFormat> = new Set(['jpeg', 'png', 'webp']);

/** LittleCMS's linear memory with a transform built (measured; color/lcms). */
const LCMS_PEAK_BYTES = 20 * 1024 * 1024;

/** What to do with one source's colour, decided from its header before decoding. */
export class ColourJob {
  /** Profile the encoded output must carry (set by keep, or when a conversion was impossible). */
  embed: Uint8Array | undefined;

  constructor(
    /** Short description for logs and the debug header: 'srgb', 'matrix', 'lut', 'cmyk', 'png-chrm', 'nclx', 'none'. */
    readonly label: string,
    /** The embedded profile, when there is one. */
    readonly icc: Uint8Array | undefined,
    private readonly mode: ColourMode,
    private readonly convert: Convert | undefined,
    /** CMYK sources with a usable profile: converts ink values to RGBA at decode. */
    readonly cmyk: Convert | undefined,
  ) {}

  /**
   * WASM memory the job needs for this colour work at its peak: LittleCMS's
   * instance (16 MB fresh, 19 MB with a transform; color/lcms) for LUT and CMYK
   * profiles, nothing for the TS matrix path. Part of the memory rule's estimate.
   */
  get wasmBytes(): number {
    return this.label === 'lut' || this.cmyk ? LCMS_PEAK_BYTES : 0;
  }

  /** True when the RGB pixels need any work. */
  get active(): boolean {
    return this.convert !== undefined || (this.mode === 'keep' && this.icc !== undefined);
  }

  /**
   * Brings `r` (the resized output raster, RGBA) to what `format` will carry:
   * in keep mode, untouched with the profile embedded when the format can
   * embed one; otherwise converted to sRGB in place. A conversion that fails
   * (LittleCMS refuses the profile) embeds the original profile instead.
   */
  async apply(r: Raster, format: OutputFormat, observe?: () => void): Promise<void> {
    if (this.mode === 'keep' && this.icc && EMBEDS_ICC.has(format)) {
      this.embed = this.icc;
      return;
    }
    if (!this.convert) return;
    try {
      await this.convert(r.data, observe);
    } catch (err) {
      console.warn('colour conversion failed; embedding the source profile instead', this.label, err);
      if (this.icc && EMBEDS_ICC.has(format)) this.embed = this.icc;
    }
  }
}

/** Reads the source's colour description and decides the work; never throws for a bad profile. */
export async function planColour(bytes: Uint8Array, format: SourceFormat, mode: ColourMode): Promise<ColourJob> {
  const src = await readSourceColour(bytes, format);
  return planFromColour(src, mode);
}

export function planFromColour(src: SourceColour, mode: ColourMode): ColourJob {
  if (src.icc) return planIcc(src.icc, mode, src.model);
  if (src.png) {
    const { exponent, chrm } = src.png;
    return matrixJob('png-chrm', undefined, mode, chrm, { kind: 'gamma', gamma: exponent });
  }
  if (src.cicp) return planCicp(src.cicp, mode);
  return new ColourJob(src.srgb ? 'srgb' : 'none', undefined, mode, undefined, undefined);
}

/** The profile's data colour space for each coded colour model (ICC.1 7.2.6). */
const SPACE_OF_MODEL = { gray: 'GRAY', rgb: 'RGB ', cmyk: 'CMYK' } as const;

function planIcc(icc: Uint8Array, mode: ColourMode, model: SourceColour['model']): ColourJob {
  const p = parseIcc(icc);
  // A profile for another colour model than the data's (a grey profile on a colour JPEG, an
  // RGB one on a CMYK JPEG) cannot describe it: ignored, as libvips and Chromium ignore it.
  if (model && p.colorSpace && p.colorSpace !== SPACE_OF_MODEL[model]) return new ColourJob('mismatch', undefined, mode, undefined, undefined);
  const viaLcms = (input: LcmsInput): Convert => (data, observe) => lcmsToSrgb(icc, input, data, observe);
  switch (p.kind) {
    case 'cmyk':
      // The output cannot be CMYK, so keep mode converts too.
      return new ColourJob('cmyk', icc, mode, undefined, viaLcms('cmyk'));
    case 'matrix': {
      const t = buildMatrixTransform(matrixFromColorants(p.matrix!), p.matrix!.trc);
      return jobFor(isIdentity(t) ? 'srgb' : 'matrix', icc, mode, t);
    }
    case 'gray': {
      // Grey PCS values are luminance relative to the D50 white: same Y in sRGB grey.
      const k = p.grayTrc!;
      const t = buildMatrixTransform(matrixFromPrimaries(SRGB_PRIMARIES), [k, k, k]);
      return jobFor(isIdentity(t) ? 'srgb' : 'gray', icc, mode, t);
    }
    case 'lut':
      return new ColourJob('lut', icc, mode, viaLcms(p.colorSpace === 'GRAY' ? 'gray' : 'rgb'), undefined);
    default:
      // Not a profile at all (no 'acsp'): ignored, as browsers ignore it. A real profile we cannot
      // read (or a colour space that is not RGB/grey) stays with the numbers.
      if (!p.colorSpace) return new ColourJob('none', undefined, mode, undefined, undefined);
      return new ColourJob('unusable', icc, 'keep', undefined, undefined);
  }
}

function jobFor(label: string, icc: Uint8Array | undefined, mode: ColourMode, t: MatrixTransform): ColourJob {
  // The simd128 kernel (color/simd); applyMatrixTransform is its reference, same bytes.
  const convert = label === 'srgb' ? undefined : async (data: Uint8Array) => applyMatrixTransformSimd(t, data);
  return new ColourJob(label, icc, mode, convert, undefined);
}

function matrixJob(label: string, icc: Uint8Array | undefined, mode: ColourMode, c: Chromaticities, curve: Curve): ColourJob {
  const t = buildMatrixTransform(matrixFromPrimaries(c), [curve, curve, curve]);
  return jobFor(isIdentity(t) ? 'srgb' : label, icc, mode, t);
}

/** ITU-T H.273 ColourPrimaries we convert: 1 BT.709 (= sRGB), 9 BT.2020, 11 DCI-P3, 12 Display P3. */
const CICP_PRIMARIES: Record<number, Chromaticities> = {
  1: SRGB_PRIMARIES,
  9: { red: [0.708, 0.292], green: [0.17, 0.797], blue: [0.131, 0.046], white: [0.3127, 0.329] },
  11: { red: [0.68, 0.32], green: [0.265, 0.69], blue: [0.15, 0.06], white: [0.314, 0.351] },
  12: { red: [0.68, 0.32], green: [0.265, 0.69], blue: [0.15, 0.06], white: [0.3127, 0.329] },
};

/**
 * H.273 TransferCharacteristics: 13 sRGB; 1, 6, 14, 15 (the BT.709 family)
 * decoded with the sRGB curve, as libavif's and browsers' 8-bit still-image
 * paths do in practice; 8 linear; 4 and 5 pure gamma 2.2 and 2.8. PQ (16) and
 * HLG (18) are HDR and need tone mapping: not converted (documented).
 */
function cicpCurve(transfer: number): Curve | undefined {
  if (transfer === 13 || transfer === 1 || transfer === 6 || transfer === 14 || transfer === 15 || transfer === 2) return SRGB_CURVE;
  if (transfer === 8) return { kind: 'gamma', gamma: 1 };
  if (transfer === 4) return { kind: 'gamma', gamma: 2.2 };
  if (transfer === 5) return { kind: 'gamma', gamma: 2.8 };
  return undefined;
}

function planCicp(c: Cicp, mode: ColourMode): ColourJob {
  const primaries = CICP_PRIMARIES[c.primaries === 2 ? 1 : c.primaries];
  const curve = cicpCurve(c.transfer);
  if (!primaries || !curve) return new ColourJob('nclx-unsupported', undefined, mode, undefined, undefined);
  return matrixJob('nclx', undefined, mode, primaries, curve);
}
