/**
 * @module config
 * Reads the Worker's environment (wrangler.toml [vars], secrets, bindings) once
 * per env object into a typed Config. Only `index.ts` sees `env`; every other
 * module gets plain values from here. Every variable is documented in README.md.
 */
import { SPEC_BY_NAME, TRANSPORT_PARAMS } from './options/params';
import { parseSigningKeys } from './security/sign';

export interface Env {
  ORIGIN?: string;
  ALLOWED_ORIGINS?: string;
  MAX_DIMENSION?: string;
  ORIGIN_TIMEOUT_MS?: string;
  CACHE_TTL_MIN?: string;
  CACHE_TTL_MAX?: string;
  CACHE_TTL_DEFAULT?: string;
  MAX_SOURCE_BYTES?: string;
  SIGNING_KEYS?: string;
  ALLOWED_WIDTHS?: string;
  ALLOWED_QUALITIES?: string;
  MAX_SOURCE_PIXELS?: string;
  MAX_JPEG_PIXELS?: string;
  MAX_PROGRESSIVE_PIXELS?: string;
  MAX_PNG_PIXELS?: string;
  /** HEIC grids (iPhone photos), assembled tile by tile in JS (codec/heic/decode). */
  MAX_HEIC_PIXELS?: string;
  MAX_FRAMES?: string;
  /** Animations (src/animation.ts): frame pixels in, and out, beyond which the original passes through. */
  ANIMATION_MAX_PIXELS?: string;
  // --- SVG (issue 15; see src/codec/svg/) ---
  MAX_SVG_BYTES?: string;
  MAX_SVG_ELEMENTS?: string;
  /** `true`: every SVG source is answered with its sanitised self, whatever the options (Cloudflare's behaviour). */
  SVG_PASSTHROUGH?: string;
  // --- end SVG ---
  PIXEL_BUDGET?: string;
  BUDGET_WAIT_MS?: string;
  RECYCLE_WASM_BYTES?: string;
  IDLE_WASM_BYTES?: string;
  PLAYGROUND?: string;
  DEBUG?: string;
  DIALECTS?: string;
  THUMBOR_SECURITY_KEY?: string;
  THUMBOR_ALLOW_UNSAFE?: string;
  THUMBOR_LOADER?: string;
  // --- imgproxy (issue 12; see src/url/imgproxy.ts) ---
  IMGPROXY_KEY?: string;
  IMGPROXY_SALT?: string;
  IMGPROXY_SIGNATURE_SIZE?: string;
  IMGPROXY_PRESETS?: string;
  IMGPROXY_WATERMARK_URL?: string;
  // --- end imgproxy ---
  ASSETS?: Fetcher;
  SOURCE_BUCKET?: R2Bucket;
  /** The shared variant tier (src/variant-tier.ts); unbound = off. */
  VARIANT_BUCKET?: R2Bucket;
  VARIANT_TIER_TIMEOUT_MS?: string;
  VARIANT_TIER_TOUCH_DAYS?: string;
  CACHE_NAME?: string;
  /** Query parameters the path form passes to the origin and into the cache key (cache busters); default `v,cb`. */
  CACHE_BUSTER_PARAMS?: string;
}

export interface Config {
  /** Base URL that path-form sources resolve against; undefined = bundled samples. */
  origin?: string;
  allowedOrigins: string;
  maxDimension: number;
  originTimeoutMs: number;
  cacheTtl: { min: number; max: number; fallback: number };
  maxSourceBytes: number;
  signingKeys: string[];
  allowedWidths?: ReadonlySet<number>;
  allowedQualities?: ReadonlySet<number>;
  /** Cache-buster query parameters (CACHE_BUSTER_PARAMS): not options; the path form sends them to the origin. */
  cacheBusterParams: ReadonlySet<string>;
  /** Total frame pixels (width x height x frames) of an animation's source, and of its output, that are animated frame by frame; beyond, the original passes through. */
  animationMaxPixels: number;
  limits: { maxPixels: number; maxPngPixels: number; maxHeicPixels: number; maxJpegPixels: number; maxProgressivePixels: number; maxFrames: number; maxSvgBytes?: number; maxSvgElements?: number };
  /** SVG_PASSTHROUGH: SVG sources are served sanitised, never rasterised (format=json still describes them). */
  svgPassthrough?: boolean;
  /** Pixels all concurrent transforms of an isolate may hold at once. */
  pixelBudget: number;
  budgetWaitMs: number;
  /** A codec instance whose WASM memory grew past this is dropped after the request. */
  recycleWasmBytes: number;
  /** Live codec instances are dropped, largest first, until their total is under this. */
  idleWasmBytes: number;
  playground: boolean;
  debug: boolean;
  /** Bound on one variant-tier lookup (ms); past it the request transforms as if there were no tier. */
  variantTierTimeoutMs: number;
  /** A tier hit older than this many days is uploaded again (keeps used variants inside the lifecycle rule). */
  variantTierTouchDays: number;
  /** Cache API cache for results and sources: undefined = caches.default, else caches.open(name). */
  cacheName?: string;
  /** URL dialects served at the root, in `DIALECTS` (src/routes.ts). */
  dialects: readonly string[];
  thumbor: ThumborConfig;
  imgproxy: ImgproxyConfig;
}

/** Thumbor dialect settings (src/url/thumbor.ts). */
export interface ThumborConfig {
  /** Thumbor's SECURITY_KEY: HMAC-SHA1 key of signed URLs. */
  securityKey?: string;
  /** Whether `/unsafe/` URLs are served (Thumbor's ALLOW_UNSAFE_URL). */
  allowUnsafe: boolean;
  /** How an image path without a scheme is loaded: from ORIGIN/R2/samples, or as `http(s)://` + path (Thumbor's HTTP loader). */
  loader: 'origin' | 'http' | 'https';
}

/** imgproxy's own configuration names, so an imgproxy deployment's values carry over as they are. */
export interface ImgproxyConfig {
  /** Hex-decoded key/salt pairs (IMGPROXY_KEY / IMGPROXY_SALT, comma lists for rotation); empty = signatures unchecked. */
  keys: { key: Uint8Array; salt: Uint8Array }[];
  /** Bytes of the HMAC kept before base64 (IMGPROXY_SIGNATURE_SIZE, 1..32, default 32). */
  signatureSize: number;
  /** Preset name -> its processing-options path (IMGPROXY_PRESETS: `name=opt/opt,name2=opt`). */
  presets: ReadonlyMap<string, string>;
  /** The image the `watermark` option composites (IMGPROXY_WATERMARK_URL). */
  watermarkUrl?: string;
}

/** Next.js's default `deviceSizes` + `imageSizes` (with the older 16), for ALLOWED_WIDTHS=nextjs. */
export const NEXTJS_WIDTHS = [16, 32, 48, 64, 96, 128, 256, 384, 640, 750, 828, 1080, 1200, 1920, 2048, 3840];

const cache = new WeakMap<object, Config>();

/** The typed config for this env, parsed on first use and memoised per env object. */
export function readConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}

function parseConfig(env: Env): Config {
  const ttlMin = readInt(env, 'CACHE_TTL_MIN', 3600);
  const ttlMax = readInt(env, 'CACHE_TTL_MAX', 31_536_000);
  return {
    origin: env.ORIGIN?.trim() ? env.ORIGIN.trim().replace(/\/+$/, '') : undefined,
    allowedOrigins: env.ALLOWED_ORIGINS ?? '',
    maxDimension: readInt(env, 'MAX_DIMENSION', 8192),
    originTimeoutMs: readInt(env, 'ORIGIN_TIMEOUT_MS', 10_000),
    cacheTtl: { min: ttlMin, max: ttlMax, fallback: readInt(env, 'CACHE_TTL_DEFAULT', 86_400) },
    maxSourceBytes: readInt(env, 'MAX_SOURCE_BYTES', 25_000_000),
    signingKeys: parseSigningKeys(env.SIGNING_KEYS),
    allowedWidths: readSet(env.ALLOWED_WIDTHS, { nextjs: NEXTJS_WIDTHS }),
    allowedQualities: readSet(env.ALLOWED_QUALITIES, { nextjs: [75] }),
    cacheBusterParams: readCacheBusters(env.CACHE_BUSTER_PARAMS),
    limits: {
      maxPixels: readInt(env, 'MAX_SOURCE_PIXELS', 5_000_000),
      maxJpegPixels: readInt(env, 'MAX_JPEG_PIXELS', 50_000_000),
      maxProgressivePixels: readInt(env, 'MAX_PROGRESSIVE_PIXELS', 16_000_000),
      maxPngPixels: readInt(env, 'MAX_PNG_PIXELS', 12_000_000),
      // 12.2 MP is an iPhone's 4032x3024; 16 MP leaves room for other cameras' grids.
      maxHeicPixels: readInt(env, 'MAX_HEIC_PIXELS', 16_000_000),
      maxFrames: readInt(env, 'MAX_FRAMES', 1000),
      maxSvgBytes: readInt(env, 'MAX_SVG_BYTES', 2_000_000),
      maxSvgElements: readInt(env, 'MAX_SVG_ELEMENTS', 20_000),
    },
    // Cloudflare's documented budget: animations over 50 megapixels (all frames) are delivered untransformed.
    animationMaxPixels: readInt(env, 'ANIMATION_MAX_PIXELS', 50_000_000),
    svgPassthrough: readBool(env.SVG_PASSTHROUGH, false),
    pixelBudget: readInt(env, 'PIXEL_BUDGET', 10_000_000),
    budgetWaitMs: readInt(env, 'BUDGET_WAIT_MS', 5000),
    recycleWasmBytes: readInt(env, 'RECYCLE_WASM_BYTES', 32 * 1024 * 1024),
    idleWasmBytes: readInt(env, 'IDLE_WASM_BYTES', 32 * 1024 * 1024),
    playground: readBool(env.PLAYGROUND, true),
    debug: readBool(env.DEBUG, false),
    variantTierTimeoutMs: readInt(env, 'VARIANT_TIER_TIMEOUT_MS', 300),
    variantTierTouchDays: readInt(env, 'VARIANT_TIER_TOUCH_DAYS', 7),
    cacheName: env.CACHE_NAME?.trim() || undefined,
    dialects: readDialects(env.DIALECTS),
    thumbor: readThumbor(env, parseSigningKeys(env.SIGNING_KEYS).length > 0),
    imgproxy: readImgproxy(env),
  };
}

const KNOWN_DIALECTS = ['cloudflare', 'thumbor', 'imgproxy'];

function readDialects(raw: string | undefined): string[] {
  const names = (raw ?? '').split(',').map((n) => n.trim().toLowerCase()).filter(Boolean);
  if (!names.length) return ['cloudflare'];
  const unknown = names.find((n) => !KNOWN_DIALECTS.includes(n));
  if (unknown) throw new Error(`config: DIALECTS names unknown dialect "${unknown}" (known: ${KNOWN_DIALECTS.join(', ')})`);
  return [...new Set(names)];
}

/**
 * Thumbor's ALLOW_UNSAFE_URL defaults to on; here a configured key means signing
 * is required, so `/unsafe/` is refused unless THUMBOR_ALLOW_UNSAFE=true says
 * otherwise (Thumbor itself accepts both when both are set: useful while migrating).
 * A deployment that signs its Cloudflare URLs (SIGNING_KEYS) requires signing too:
 * turning Thumbor on must not open an unsigned door beside it.
 */
function readThumbor(env: Env, signingRequired: boolean): ThumborConfig {
  const securityKey = env.THUMBOR_SECURITY_KEY ? env.THUMBOR_SECURITY_KEY : undefined;
  const loader = (env.THUMBOR_LOADER ?? '').trim() || 'origin';
  if (loader !== 'origin' && loader !== 'http' && loader !== 'https') throw new Error('config: THUMBOR_LOADER must be origin, http or https');
  return { securityKey, allowUnsafe: readBool(env.THUMBOR_ALLOW_UNSAFE, !securityKey && !signingRequired), loader };
}

function readInt(env: Env, name: keyof Env, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`config: ${name} must be a non-negative integer`);
  return n;
}

function readBool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  return raw === 'true' || raw === '1';
}

function readSet(raw: string | undefined, presets: Record<string, number[]>): ReadonlySet<number> | undefined {
  if (!raw?.trim()) return undefined;
  const preset = presets[raw.trim()];
  const values = preset ?? raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`config: bad list "${raw}"`);
  return new Set(values);
}

// --- cache busters (issue 13) ---

/**
 * `v,cb` by default, `none` for none. A name that is also an option or a transport
 * parameter (`w`, `sig`, ...) would change what that parameter means, so it is refused.
 */
function readCacheBusters(raw: string | undefined): ReadonlySet<string> {
  const text = raw?.trim() ?? '';
  if (text === 'none') return new Set();
  const names = (text || 'v,cb').split(',').map((n) => n.trim()).filter(Boolean);
  const taken = names.find((n) => SPEC_BY_NAME.has(n) || TRANSPORT_PARAMS.has(n));
  if (taken) throw new Error(`config: CACHE_BUSTER_PARAMS names "${taken}", which is already a parameter`);
  return new Set(names);
}

// --- dialects and imgproxy (issue 12) ---

function readHexList(raw: string | undefined, name: string): Uint8Array[] {
  return (raw ?? '').split(',').map((v) => v.trim()).filter(Boolean).map((hex) => {
    if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new Error(`config: ${name} must be hex-encoded`);
    return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
  });
}

/** imgproxy's IMGPROXY_* variables (docs.imgproxy.net/configuration/options#url-signature, #presets). */
function readImgproxy(env: Env): ImgproxyConfig {
  const keys = readHexList(env.IMGPROXY_KEY, 'IMGPROXY_KEY');
  const salts = readHexList(env.IMGPROXY_SALT, 'IMGPROXY_SALT');
  if (keys.length !== salts.length) throw new Error('config: IMGPROXY_KEY and IMGPROXY_SALT must list as many values');
  const signatureSize = readInt(env, 'IMGPROXY_SIGNATURE_SIZE', 32);
  if (signatureSize < 1 || signatureSize > 32) throw new Error('config: IMGPROXY_SIGNATURE_SIZE must be 1..32');
  const presets = new Map<string, string>();
  for (const entry of (env.IMGPROXY_PRESETS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`config: IMGPROXY_PRESETS entry "${entry}" must be name=options`);
    presets.set(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
  }
  return {
    keys: keys.map((key, i) => ({ key, salt: salts[i]! })),
    signatureSize,
    presets,
    watermarkUrl: env.IMGPROXY_WATERMARK_URL?.trim() || undefined,
  };
}
// --- end dialects and imgproxy ---
