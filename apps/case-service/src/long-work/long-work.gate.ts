import { Inject, Injectable } from '@nestjs/common';
import { ServiceError } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** Retry-After when no long job has finished yet to estimate from. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Every long job is running or waiting its turn: come back later (docs/statistics.md, "Long work"). */
export class LongWorkBusyError extends ServiceError {
  constructor(retryAfterSeconds: number, waiting: number) {
    super(
      'LONG_WORK.BUSY',
      503,
      'Busy with long work',
      `A long job is running and ${waiting} more ${waiting === 1 ? 'is' : 'are'} waiting, the most LONG_WORK_QUEUE allows; retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }
}

interface Waiting {
  start: () => void;
}

/**
 * Long work — a what-if replay, a report at a past position, an export — runs one job at a time
 * per instance, so two of them never hold their memory at once nor take turns slowing each other
 * and every other request down; at most LONG_WORK_QUEUE more wait their turn, in arrival order, and
 * the next is refused at once (503 with Retry-After) rather than piling up (docs/statistics.md).
 */
@Injectable()
export class LongWorkGate {
  private running = false;
  private readonly waiting: Waiting[] = [];
  /** How long the latest job took, to tell a refused caller when to come back. */
  private lastDurationMs: number | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'longWorkQueue'>) {}

  /** Jobs running (0 or 1) and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running ? 1 : 0, waiting: this.waiting.length };
  }

  /** Runs `work` once no other long job runs; refuses with LongWorkBusyError when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running) {
      if (this.waiting.length >= this.config.longWorkQueue) throw new LongWorkBusyError(this.retryAfterSeconds(), this.waiting.length);
      await new Promise<void>((start) => this.waiting.push({ start }));
    }
    this.running = true;
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.lastDurationMs = performance.now() - started;
      const next = this.waiting.shift();
      // Handed straight to the next job: `running` stays true, so no newcomer overtakes the queue.
      if (next) next.start();
      else this.running = false;
    }
  }

  /** Time for the running job and those waiting to finish, judged by the last one: at least a second. */
  private retryAfterSeconds(): number {
    if (this.lastDurationMs === null) return DEFAULT_RETRY_AFTER_SECONDS;
    return Math.max(1, Math.ceil(((this.waiting.length + 1) * this.lastDurationMs) / 1000));
  }
}
