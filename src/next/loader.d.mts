/**
 * @module thumbflare/next
 * Types for `loader.mjs`, the Next.js image loader for Thumbflare.
 */

/** What Next.js 16 passes to a custom loader. `quality` is undefined when unset and may be a float. */
export interface ImageLoaderParams {
  src: string;
  width: number;
  quality?: number;
}

export type ThumbflareLoader = (params: ImageLoaderParams) => string;

/** 75, what next/image means when no quality is given. */
export declare const DEFAULT_QUALITY: 75;

/** Next.js's default deviceSizes and imageSizes (with the older 16). */
export declare const NEXT_DEFAULT_WIDTHS: readonly number[];

/** Builds the Thumbflare URL for one candidate: path form for root-relative src, remote form (`?url=`) for absolute src. */
export declare function thumbflareUrl(params: ImageLoaderParams, baseUrl: string | undefined): string;

/** The loader `images.loaderFile` points at; base URL from NEXT_PUBLIC_THUMBFLARE_URL. */
declare const thumbflareLoader: ThumbflareLoader;
export default thumbflareLoader;

export interface CreateLoaderOptions {
  /** The Worker's base URL; defaults to NEXT_PUBLIC_THUMBFLARE_URL. */
  baseUrl?: string;
  /** Synchronous: unsigned URL in, signed URL out (see lookupSigner). A Promise result throws. */
  sign?: (unsignedUrl: string) => string;
}

export declare function createThumbflareLoader(options?: CreateLoaderOptions): ThumbflareLoader;

export interface PresignOptions {
  baseUrl: string;
  /** The first of the Worker's SIGNING_KEYS. Server side only: never a NEXT_PUBLIC_ variable. */
  key: string;
  srcs: readonly string[];
  /** Defaults to NEXT_DEFAULT_WIDTHS. */
  widths?: readonly number[];
  /** Defaults to [undefined] (75). */
  qualities?: readonly (number | undefined)[];
  /** Unix seconds, covered by the signature. */
  expires?: number;
}

/** Signs every URL the loader can produce for srcs x widths x qualities: unsigned URL -> signed URL. */
export declare function presignThumbflareUrls(options: PresignOptions): Promise<Record<string, string>>;

/** A synchronous `sign` that looks URLs up in a presigned table; throws for URLs not in it. */
export declare function lookupSigner(table: Readonly<Record<string, string>>): (unsignedUrl: string) => string;
