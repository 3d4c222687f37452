import { ServiceError } from '@cases/domain';

/** How long a client is asked to wait after a read model fell behind: about what catching up a burst takes. */
const BEHIND_RETRY_AFTER_SECONDS = 2;

/**
 * A read-your-writes wait that ran out: the API answers 503 `READ_MODEL.BEHIND` with Retry-After
 * rather than serve a stale model (docs/architecture.md, "Read-your-writes").
 */
export class ProjectionTimeoutError extends ServiceError {
  constructor(
    readonly position: bigint,
    readonly checkpoint: bigint,
    readonly timeoutMs: number,
  ) {
    super(
      'READ_MODEL.BEHIND',
      503,
      'Read model behind',
      `Read models did not reach position ${position} within ${timeoutMs} ms (they are at ${checkpoint})`,
      { retryAfterSeconds: BEHIND_RETRY_AFTER_SECONDS },
    );
  }
}

/** The position asked for is past the end of the log: no command has answered it, so no wait would end. */
export class PositionBeyondLogError extends ServiceError {
  constructor(
    readonly position: bigint,
    readonly head: bigint,
  ) {
    super(
      'REQUEST.POSITION_BEYOND_LOG',
      422,
      'Position beyond the log',
      `Position ${position} is beyond the end of the event log (${head})`,
      {
        head: head.toString(),
      },
    );
  }
}

interface Waiter {
  projections: readonly string[];
  position: bigint;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Read-your-writes waits: each resolves once every projection it names has applied the log up to
 * its position, and fails after its timeout. `settle` is called whenever a checkpoint moves.
 */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();

  /**
   * `positionOf` gives a projection's applied position; it is read again at every settle.
   * `waiting` runs each time a wait starts that is not satisfied yet (whoever moves the positions
   * may need to look sooner).
   */
  constructor(
    private readonly positionOf: (projection: string) => bigint,
    private readonly waiting: () => void = () => undefined,
  ) {}

  /** How many waits are pending. */
  get size(): number {
    return this.waiters.size;
  }

  wait(projections: readonly string[], position: bigint, timeoutMs: number): Promise<void> {
    if (this.lowest(projections) >= position) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ProjectionTimeoutError(position, this.lowest(projections), timeoutMs));
      }, timeoutMs);
      const waiter: Waiter = {
        projections,
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
      this.waiting();
    });
  }

  settle(): void {
    for (const waiter of this.waiters) {
      if (this.lowest(waiter.projections) >= waiter.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }

  /** The position every one of `projections` has reached. */
  lowest(projections: readonly string[]): bigint {
    let lowest: bigint | null = null;
    for (const name of projections) {
      const position = this.positionOf(name);
      if (lowest === null || position < lowest) lowest = position;
    }
    return lowest ?? 0n;
  }
}
