/**
 * @module url/dialect
 * What every URL dialect (Cloudflare's, Thumbor's, imgproxy's) is: a small module
 * that recognises its URLs, checks its own signing scheme, and turns a URL into
 * the same typed request the one pipeline takes. No dialect has a pixel path.
 */
import type { Config } from '../config';
import type { SourceRef } from '../origin';
import type { TransformOptions } from '../options/types';

/** A URL mapped onto the engine: a source and typed options. */
export interface ParsedRequest {
  kind: 'image';
  source: SourceRef;
  options: TransformOptions;
  /** `thumbor`: a metadata request answers Thumbor's JSON shape instead of Cloudflare's. */
  jsonShape?: 'thumbor';
}

/** A dialect's own liveness endpoint (Thumbor's `/healthcheck`). */
export interface HealthRequest {
  kind: 'healthcheck';
}

export type DialectResult = ParsedRequest | HealthRequest;

export interface DialectContext {
  config: Config;
  hasBucket: boolean;
  nowSeconds: number;
}

export interface Dialect {
  /** The name used in the `DIALECTS` setting. */
  name: string;
  /**
   * True when this URL is in the dialect's grammar. `only` says no other dialect is
   * on, so the dialect may claim everything (and answer 403/400 for what is not its own).
   */
  claims(url: URL, only: boolean): boolean;
  /** Verifies the dialect's signature and parses; throws ImageError (400/403). */
  parse(url: URL, ctx: DialectContext): Promise<DialectResult>;
}
