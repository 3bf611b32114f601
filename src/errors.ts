/**
 * @module errors
 * The one error type of Thumbflare. Every failure a client can cause or see is an
 * `ImageError` with an HTTP status, a stable machine code, a public message and,
 * where a parameter is at fault, its name. It is rendered in one place
 * (`app.onError` in `index.ts`) as JSON with `Cache-Control: no-store`.
 * Build errors through the factories below, never with `new` at a call site.
 */

export type ErrorCode =
  | 'invalid_param'
  | 'misconfigured'
  | 'invalid_url'
  | 'not_allowed'
  | 'bad_signature'
  | 'not_found'
  | 'too_large'
  | 'unsupported'
  | 'corrupt'
  | 'origin_failed'
  | 'origin_timeout'
  | 'busy'
  | 'method_not_allowed'
  | 'loop_detected'
  | 'tier_failed'
  | 'internal';

export interface ErrorBody {
  error: { status: number; code: ErrorCode; message: string; param?: string };
}

export class ImageError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    /** Extra response headers, e.g. `Retry-After` on 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ImageError';
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { status: this.status, code: this.code, message: this.message };
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

/** 400: a query parameter is unknown, repeated, malformed or out of range. */
export const invalidParam = (param: string, message: string) =>
  new ImageError(400, 'invalid_param', message, param);

/** 400: the source URL or path cannot be parsed or resolved. */
export const invalidUrl = (message: string) => new ImageError(400, 'invalid_url', message, 'url');

/** 403: the source is not on an allowed origin, or is a private address. */
export const notAllowed = (message: string) => new ImageError(403, 'not_allowed', message, 'url');

/** 403: a missing, wrong or expired URL signature. */
export const badSignature = (message: string) => new ImageError(403, 'bad_signature', message, 'sig');

/** 404: the origin (or bucket, or sample set) has no such source. */
export const notFound = (message = 'source image not found') => new ImageError(404, 'not_found', message);

/** 413: the source or the requested output exceeds a configured limit. */
export const tooLarge = (message: string, param?: string) => new ImageError(413, 'too_large', message, param);

/** 415: the source is not an image format Thumbflare transforms. */
export const unsupported = (message: string) => new ImageError(415, 'unsupported', message);

/** 422: the source claims a supported format but cannot be decoded. */
export const corrupt = (message: string) => new ImageError(422, 'corrupt', message);

/** 502: the origin answered 5xx, broke the connection or sent a short body. */
export const originFailed = (message: string) => new ImageError(502, 'origin_failed', message);

/** 504: the origin did not answer (or finish the body) within ORIGIN_TIMEOUT_MS. */
export const originTimeout = (message: string) => new ImageError(504, 'origin_timeout', message);

/** 503: the isolate's pixel budget stayed full for the whole wait. */
export const busy = (retryAfterSeconds: number) =>
  new ImageError(503, 'busy', 'the image service is at capacity; retry shortly', undefined, {
    'Retry-After': String(retryAfterSeconds),
  });

/** 405: only GET and HEAD are served. */
export const methodNotAllowed = (method: string) =>
  new ImageError(405, 'method_not_allowed', `method ${method.slice(0, 10)} is not allowed; use GET or HEAD`, undefined, { Allow: 'GET, HEAD' });

/** 508: the request came from a Thumbflare fetching its source (RFC 5842 §7.2), i.e. a source URL pointing back at us. */
export const loopDetected = () =>
  new ImageError(508, 'loop_detected', 'the source URL leads back to this image service');

/** 503: the variant tier (VARIANT_BUCKET) failed during a purge; nothing is known to be removed, retry. */
export const tierFailed = () =>
  new ImageError(503, 'tier_failed', 'the variant tier could not be purged; retry', undefined, { 'Retry-After': '5' });

/**
 * 503: the Worker's own configuration is invalid (an ALLOWED_ORIGINS entry that does not parse):
 * the operator's mistake, named so they can fix it, never the client's and never an opaque 500.
 */
export const misconfigured = (message: string) => new ImageError(503, 'misconfigured', message);

/** 500: a bug of ours, never the client's input. The message stays generic. */
export const internal = () => new ImageError(500, 'internal', 'internal error');

/** Renders any ImageError as the documented JSON error response. */
export function renderError(err: ImageError): Response {
  return new Response(JSON.stringify(err.toBody()), {
    status: err.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...err.headers,
    },
  });
}
