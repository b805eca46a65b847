/**
 * Long work sliced across task runs (issue 5: "long work is bounded or sliced").
 *
 * The work is a generator: it yields at safe points. step() resumes it and keeps
 * stepping while the run still has budget (TaskContext.timeLeftMs), so one run
 * never exceeds its budget by more than one slice. When the work completes,
 * step() returns its result and the next step() starts a fresh generator.
 */
export interface SliceBudget {
  timeLeftMs(): number;
}

export type SliceOutcome<T> = { done: false; slices: number } | { done: true; slices: number; result: T };

export class SlicedJob<T> {
  private iterator: Iterator<unknown, T> | null = null;
  /** Task runs the current work has taken so far. */
  runsSoFar = 0;

  /**
   * @param start creates the work (a generator function call).
   * @param maxSlicesPerRun bound for a work whose clock does not move (e.g. a virtual clock).
   */
  constructor(
    private readonly start: () => Iterator<unknown, T>,
    private readonly maxSlicesPerRun = 1000,
  ) {}

  get inProgress(): boolean {
    return this.iterator !== null;
  }

  /** Run slices while budget is left (at least one slice per call). */
  step(budget: SliceBudget): SliceOutcome<T> {
    if (this.iterator === null) {
      this.iterator = this.start();
      this.runsSoFar = 0;
    }
    this.runsSoFar += 1;
    let slices = 0;
    do {
      let next: IteratorResult<unknown, T>;
      try {
        next = this.iterator.next();
      } catch (error) {
        this.iterator = null; // a failed work starts over next time
        throw error;
      }
      slices += 1;
      if (next.done) {
        this.iterator = null;
        return { done: true, slices, result: next.value };
      }
    } while (budget.timeLeftMs() > 0 && slices < this.maxSlicesPerRun);
    return { done: false, slices };
  }

  /** Abandon the work in progress (e.g. its inputs changed). */
  reset(): void {
    if (this.iterator !== null && typeof this.iterator.return === "function") {
      try {
        this.iterator.return(undefined as unknown as T);
      } catch {
        // Nothing to clean up that matters to the caller.
      }
    }
    this.iterator = null;
  }
}
