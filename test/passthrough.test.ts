/**
 * shouldServeSource (src/passthrough.ts): the rule for serving a source's bytes in
 * place of a larger re-encode, row by row from public URL syntax. Each refused row
 * differs from the served base in one fact only.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config';
import { shouldServeSource, type PassthroughFacts } from '../src/passthrough';
import { planTransform } from '../src/plan';
import type { Probe } from '../src/probe';
import { parseRequestUrl } from '../src/routes';

const config = readConfig({ ORIGIN: 'https://o.example' });
const probe: Probe = { format: 'jpeg', width: 1600, height: 1067, orientation: 1, displayWidth: 1600, displayHeight: 1067, frames: 1, animated: false, hasAlpha: false, metadata: false };

function facts(query: string, over: Partial<PassthroughFacts> = {}, probeOver: Partial<Probe> = {}): PassthroughFacts {
  const p = { ...probe, ...probeOver };
  const { options } = parseRequestUrl(new URL(`https://t/a.jpg?${query}`), config, false);
  const plan = planTransform({ width: p.displayWidth, height: p.displayHeight }, options, 8192);
  return { probe: p, options, plan, format: 'jpeg', metadata: p.metadata, colourWork: false, sourceBytes: 85_797, encodedBytes: 87_779, ...over };
}

describe('shouldServeSource', () => {
  const SERVED = ['', 'w=1600', 'w=4000', 'h=1067&fit=cover', 'q=50', 'format=jpeg', 'dpr=2&w=800', 'anim=false', 'onerror=redirect', 'color-profile=keep', 'gravity=auto'];
  it.each(SERVED)('serves the source for ?%s', (q) => expect(shouldServeSource(facts(q))).toBe(true));

  const REFUSED: [string, PassthroughFacts][] = [
    ['the re-encode is not larger', facts('', { encodedBytes: 85_797 })],
    ['another output format', facts('', { format: 'webp' })],
    ['a smaller width', facts('w=800')],
    ['a crop to another aspect', facts('w=1600&h=800&fit=cover')],
    ['padding', facts('w=1600&h=1600&fit=pad')],
    ['EXIF orientation 6', facts('', {}, { orientation: 6, displayWidth: 1067, displayHeight: 1600 })],
    ['metadata in the source', facts('', { metadata: true })],
    ['metadata not looked for (AVIF)', facts('', { metadata: undefined })],
    ['colour work', facts('', { colourWork: true })],
    ['animation', facts('', {}, { animated: true, frames: 3 })],
    ['max-bytes below the source', facts('', {}, {})],
    ['blur', facts('blur=1')],
    ['brightness at a no-op value', facts('brightness=1')],
    ['flip', facts('flip=h')],
    ['rotate', facts('rotate=180')],
    ['trim of zero', facts('trim=0;0;0;0')],
    ['a background', facts('bg=red')],
  ];
  // Thumbflare's own max-bytes option is set through the dialects; here as the typed option.
  REFUSED[10]![1].options = { ...REFUSED[10]![1].options, maxBytes: 50_000 };
  it.each(REFUSED)('refuses: %s', (_why, f) => expect(shouldServeSource(f)).toBe(false));
  it('max-bytes at or above the source still serves it', () => {
    const f = facts('');
    expect(shouldServeSource({ ...f, options: { ...f.options, maxBytes: 90_000 } })).toBe(true);
  });
});
