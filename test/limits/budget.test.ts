/**
 * The per-isolate pixel budget: concurrent transforms share it; one that does
 * not fit waits a bounded time, then gets 503 with Retry-After, never a crash.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import { getIsolateBudget, PixelBudget } from '../../src/limits';
import { readError, readImage } from '../support/images';
import { callWorker } from '../support/worker';

describe('PixelBudget', () => {
  it('admits within capacity, queues past it in order, and times out with 503', async () => {
    const budget = new PixelBudget(100);
    const a = await budget.acquire(60, 1000);
    const order: string[] = [];
    const b = budget.acquire(60, 1000).then((release) => (order.push('b'), release));
    const c = budget.acquire(30, 1000).then((release) => (order.push('c'), release));
    expect(budget.used).toBe(60);
    a();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']); // FIFO: c did not jump the queue although it fitted
    const hold = await budget.acquire(100, 1000);
    await expect(budget.acquire(1, 50)).rejects.toMatchObject({ status: 503, code: 'busy', headers: { 'Retry-After': '1' } });
    hold();
    expect(budget.used).toBe(0);
  });
  it('admits a request larger than the whole budget alone', async () => {
    const budget = new PixelBudget(10);
    const big = await budget.acquire(1000, 100);
    await expect(budget.acquire(1, 50)).rejects.toMatchObject({ status: 503 });
    big();
    (await budget.acquire(1, 50))();
  });
});

describe('through the Worker', () => {
  it('a transform that cannot get the budget in time answers 503 with Retry-After, and the isolate keeps serving', async () => {
    // Another transform holds the whole budget across real waiting (as one awaiting its encoder would).
    const budget = getIsolateBudget(readConfig({}).pixelBudget);
    const hold = await budget.acquire(budget.capacity, 1000);
    try {
      const started = Date.now();
      const res = await callWorker(`/u/budget-${Date.now()}/gen/photo-640.jpg?width=100`, { env: { BUDGET_WAIT_MS: '300' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await readError(res)).code).toBe('busy');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      hold();
    }
    expect((await readImage(await callWorker('/gen/photo-640.jpg?width=100'))).width).toBe(100);
  });
  it('a queued transform runs as soon as the budget frees', async () => {
    const budget = getIsolateBudget(readConfig({}).pixelBudget);
    const hold = await budget.acquire(budget.capacity, 1000);
    setTimeout(hold, 200);
    const res = await callWorker(`/u/queued-${Date.now()}/gen/photo-640.jpg?width=101`, { env: { BUDGET_WAIT_MS: '5000' } });
    expect((await readImage(res)).width).toBe(101);
  });
});
