/**
 * A piecewise-linear curve evaluated many times per simulated second at slowly
 * moving x (module load, EV state of charge). Returns exactly what
 * `interpolate(points, x)` (params.ts) returns, to the last bit: the same segment
 * (the first point with x <= its x), the same formula, the same operands. Two
 * savings: each segment's rise and run are subtracted once here (a subtraction of
 * the same two doubles always gives the same double), and the segment of the last
 * call is tried first (x moves little between steps), so the usual call is two
 * comparisons instead of a scan. One curve per model instance: the remembered
 * segment is per caller.
 */
export class Curve {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  /** ys[i] - ys[i-1] and xs[i] - xs[i-1], for segment i (index 0 unused). */
  private readonly rise: Float64Array;
  private readonly run: Float64Array;
  /** The hint is only sound when the xs never decrease (else "first match" is not "the bracket"). */
  private readonly monotone: boolean;
  /** Segment of the last interpolated call (1..n-1), or 0 when none. */
  private segment = 0;
  // That segment's operands, as plain fields, so that a hot caller can interpolate inline (see
  // inSegment / interpolateInSegment): xs[s-1], xs[s], ys[s-1], rise[s], run[s]. With no segment
  // yet segLoX is +Infinity, so no x is "in" it.
  segLoX = Infinity;
  segHiX = -Infinity;
  segY0 = 0;
  segRise = 0;
  segRun = 1;

  constructor(points: readonly { x: number; y: number }[]) {
    const n = points.length;
    if (n === 0) throw new Error("curve: needs at least one point");
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.rise = new Float64Array(n);
    this.run = new Float64Array(n);
    let monotone = true;
    for (let i = 0; i < n; i++) {
      this.xs[i] = points[i].x;
      this.ys[i] = points[i].y;
      if (i > 0) {
        this.rise[i] = points[i].y - points[i - 1].y;
        this.run[i] = points[i].x - points[i - 1].x;
        if (!(points[i].x >= points[i - 1].x)) monotone = false;
      }
    }
    this.monotone = monotone;
  }

  at(x: number): number {
    const xs = this.xs;
    if (x <= xs[0]) return this.ys[0];
    const s = this.segment;
    // Sorted xs: segment s is the first point with x <= xs[s] exactly when xs[s-1] < x <= xs[s].
    if (s > 0 && x <= xs[s] && x > xs[s - 1]) return this.ys[s - 1] + (this.rise[s] * (x - xs[s - 1])) / this.run[s];
    for (let i = 1; i < xs.length; i++) {
      if (x <= xs[i]) {
        if (this.monotone) this.remember(i);
        return this.ys[i - 1] + (this.rise[i] * (x - xs[i - 1])) / this.run[i];
      }
    }
    return this.ys[xs.length - 1];
  }

  /**
   * at(x) for an x inside the remembered segment, without the call: callers whose own code is too
   * large for V8 to inline at() test `x > c.segLoX && x <= c.segHiX` and then form the value here or
   * with the same expression inline. The same operands as at(), so the same double.
   */
  interpolateInSegment(x: number): number {
    return this.segY0 + (this.segRise * (x - this.segLoX)) / this.segRun;
  }

  private remember(i: number): void {
    this.segment = i;
    this.segLoX = this.xs[i - 1];
    this.segHiX = this.xs[i];
    this.segY0 = this.ys[i - 1];
    this.segRise = this.rise[i];
    this.segRun = this.run[i];
  }
}
