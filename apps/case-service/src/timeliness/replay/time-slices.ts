/** Longest stretch of replay work between two turns of the event loop. */
const SLICE_MS = 8;

/**
 * Cuts long synchronous work (the embedded store reads synchronously, folding is pure CPU) into
 * slices of a few milliseconds, so /health and case commands are answered between two slices
 * rather than after the whole job (docs/statistics.md, "Long work").
 */
export class TimeSlices {
  private sliceStarted = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Yields to the event loop once the current slice has run its time; call it between two units of work. */
  async pause(): Promise<void> {
    if (performance.now() - this.sliceStarted < this.sliceMs) return;
    // setImmediate, not a resolved promise: only a macrotask lets pending I/O (other requests) run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStarted = performance.now();
  }
}
