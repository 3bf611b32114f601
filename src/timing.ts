/**
 * @module timing
 * A lap clock for one request, so Server-Timing accounts for every millisecond.
 *
 * The clock starts when the request arrives; each `lap(stage)` charges the time
 * since the previous lap to that stage (adding to it when a stage recurs, e.g.
 * `hash` or `origin-headers` over redirect hops). Laps are contiguous, so the
 * stages sum to `total` apart from what runs after the last lap (building the
 * headers): nothing falls between two stages unnamed. Work handed to
 * `waitUntil` runs after the response and has no duration here; it is listed
 * by name (`background`) so the header says it exists and is off the path.
 *
 * In production `performance.now()` advances only on I/O (a Spectre
 * mitigation), so CPU-only stages read 0 there; `wrangler dev` and workerd in
 * tests run real timers.
 */

/** Stages as recorded: name -> ms, in the order a request first passed them. */
export type StageDurations = Record<string, number>;

export class StageClock {
  readonly stages: StageDurations = {};
  readonly background: string[] = [];
  private last: number;

  constructor(private readonly start: number = performance.now()) {
    this.last = start;
  }

  /** Charges the time since the previous lap (or the start) to `stage`. */
  lap(stage: string): void {
    const t = performance.now();
    this.stages[stage] = (this.stages[stage] ?? 0) + (t - this.last);
    this.last = t;
  }

  /** Names work started in `waitUntil`: it runs off the response path. */
  offPath(name: string): void {
    if (!this.background.includes(name)) this.background.push(name);
  }

  /** Milliseconds since the request arrived. */
  total(): number {
    return performance.now() - this.start;
  }
}
