/**
 * @module refocus
 * The one place the plan meets src/focus/: after decode, when gravity is auto or
 * face and the plan left the crop window room to move, make the focus module's
 * preview from the decoded raster, ask it for a window, and let plan.ts place it.
 * Data still flows one way (probe -> limits -> plan -> decode -> refocus -> steps);
 * the geometry stays in plan.ts, the content analysis in src/focus/.
 */
import type { Raster } from './codec/types';
import { findFocus, makePreview, PREVIEW_SIDE, type FocusResult } from './focus';
import { refocusPlan, type TransformPlan } from './plan';

export interface Refocused {
  plan: TransformPlan;
  focus: FocusResult;
  /** JS bytes held at the stage's peak (preview + the focus module's scratch), for the memory meter. */
  jsBytes: number;
}

/** `plan` with its crop window chosen by content; undefined when the plan leaves nothing to choose. */
export function refocus(decoded: Raster, orientation: number, display: { width: number; height: number }, plan: TransformPlan): Refocused | undefined {
  const f = plan.focus;
  if (!f) return undefined;
  const area = {
    x: f.area.left / display.width, y: f.area.top / display.height,
    width: f.area.width / display.width, height: f.area.height / display.height,
  };
  const preview = makePreview(decoded, orientation, area, PREVIEW_SIDE[f.mode]);
  const unit = (s: { width: number; height: number }) => ({ width: s.width / f.area.width, height: s.height / f.area.height });
  const focus = findFocus(preview, { mode: f.mode, window: unit(f.window), minWindow: unit(f.minWindow), zoom: f.zoom });
  return { plan: refocusPlan(plan, focus.window), focus, jsBytes: preview.data.byteLength + focus.scratchBytes };
}

/** X-Thumbflare-Gravity: which strategy chose the window (`auto`, `face`, or `auto (no face)`). */
export function gravityHeader(focus: FocusResult): string {
  return focus.fallback ? `${focus.mode} (${focus.fallback})` : focus.mode;
}

/** The focus decision in format=json, in displayed source pixels. */
export function describeFocus(r: Refocused): Record<string, unknown> {
  const a = r.plan.focus!.area;
  const px = (b: { x: number; y: number; width: number; height: number }) => ({
    left: round(a.left + b.x * a.width), top: round(a.top + b.y * a.height), width: round(b.width * a.width), height: round(b.height * a.height),
  });
  const c = r.plan.crop;
  return {
    gravity: gravityHeader(r.focus),
    window: { left: round(c.left), top: round(c.top), width: round(c.width), height: round(c.height) },
    focal: { x: round(a.left + r.focus.focal.x * a.width), y: round(a.top + r.focus.focal.y * a.height) },
    score: Math.round(r.focus.score * 1000) / 1000,
    faces: r.focus.faces.map((f) => ({ ...px(f), score: Math.round(f.score * 1000) / 1000 })),
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
