/**
 * @module url/thumbor-meta
 * The body of Thumbor's metadata endpoint (`/unsafe/meta/...`, thumbor.readthedocs.io
 * "Metadata endpoint"): the source, the operations Thumbor would run, and the target.
 *
 *   {"thumbor": {"source": {"url", "width", "height", "frameCount"},
 *                "operations": [{"type": "crop", left, top, right, bottom},
 *                               {"type": "resize", width, height},
 *                               {"type": "flip_horizontally"}, ...],
 *                "target": {"width", "height"}}}
 */
import type { TransformOptions } from '../options/types';
import type { TransformPlan } from '../plan';

export interface ThumborMetaInput {
  url: string;
  width: number;
  height: number;
  frameCount: number;
  plan: TransformPlan;
  options: TransformOptions;
}

export function thumborMetadata({ url, width, height, frameCount, plan, options }: ThumborMetaInput): unknown {
  const operations: Record<string, unknown>[] = [];
  const c = plan.crop;
  const box = { left: Math.round(c.left), top: Math.round(c.top), right: Math.round(c.left + c.width), bottom: Math.round(c.top + c.height) };
  if (box.left !== 0 || box.top !== 0 || box.right !== width || box.bottom !== height) operations.push({ type: 'crop', ...box });
  if (plan.resize.width !== Math.round(c.width) || plan.resize.height !== Math.round(c.height)) {
    operations.push({ type: 'resize', width: plan.resize.width, height: plan.resize.height });
  }
  if (options.flip === 'h' || options.flip === 'hv') operations.push({ type: 'flip_horizontally' });
  if (options.flip === 'v' || options.flip === 'hv') operations.push({ type: 'flip_vertically' });
  return { thumbor: { source: { url, width, height, frameCount }, operations, target: { width: plan.output.width, height: plan.output.height } } };
}
