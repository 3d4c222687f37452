import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { LongWorkFailedError, fromWireError, type WorkerMessage } from './long-work.protocol';

/** An idle thread is ended after this long, so the memory of the last job is given back. */
const IDLE_MS = 5_000;

/** One job handed to the thread: its answer, and when the thread is free again. */
export interface ThreadJob<T> {
  answer: Promise<T>;
  settled: Promise<void>;
}

interface Running {
  worker: Worker;
  answered: boolean;
  resolve(answer: unknown): void;
  reject(error: Error): void;
  settle(): void;
  onProgress?: (position: bigint, upTo: bigint) => void;
}

/**
 * How to start a worker from `entry` (a module path without its extension): the compiled
 * CommonJS file beside it in `dist/`, or, when the service itself runs from TypeScript (jest,
 * ts-node), the `.ts` file through ts-node and the repository's path aliases.
 */
export function workerEntry(entry: string): { filename: string; eval: boolean } {
  if (existsSync(`${entry}.js`)) return { filename: `${entry}.js`, eval: false };
  if (!existsSync(`${entry}.ts`)) throw new Error(`No worker entry ${entry}.js nor ${entry}.ts`);
  let root = dirname(entry);
  while (!existsSync(join(root, 'tsconfig.json'))) {
    if (dirname(root) === root) throw new Error(`No tsconfig.json above ${entry}.ts`);
    root = dirname(root);
  }
  const source = [
    `require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(join(root, 'tsconfig.json'))} });`,
    `const paths = require('tsconfig-paths');`,
    `const config = paths.loadConfig(${JSON.stringify(root)});`,
    `paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });`,
    `require(${JSON.stringify(`${entry}.ts`)});`,
  ].join('\n');
  return { filename: source, eval: true };
}

/**
 * The long-work thread (docs/statistics.md, "Long work"): a worker thread with a heap limit of
 * its own that runs long jobs off the service's event loop, one at a time (the `LongWorkGate`
 * decides which and when), and posts back plain data. Started at the first job and ended once
 * idle. When it dies (an uncaught error, its heap limit), the job it ran fails with
 * `LONG_WORK.FAILED` (500) and the next job starts a new thread; the service itself carries on.
 */
export class LongWorkThread {
  private readonly logger = new Logger(LongWorkThread.name);
  private worker: Worker | undefined;
  private running: Running | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly entry: string,
    private readonly workerData: unknown,
    private readonly heapMb: number,
  ) {}

  /** Hands `job` to the thread; call again only once the previous job has settled (the gate and the caller see to it). */
  run<T>(job: unknown, onProgress?: (position: bigint, upTo: bigint) => void): ThreadJob<T> {
    if (this.closed) throw new LongWorkFailedError('the service is stopping');
    if (this.running !== undefined) throw new Error('LongWorkThread runs one job at a time');
    clearTimeout(this.idleTimer);
    const worker = this.start();
    let resolveAnswer!: (answer: unknown) => void;
    let rejectAnswer!: (error: Error) => void;
    let settle!: () => void;
    const answer = new Promise<T>((resolve, reject) => {
      resolveAnswer = resolve as (answer: unknown) => void;
      rejectAnswer = reject;
    });
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.running = {
      worker,
      answered: false,
      resolve: resolveAnswer,
      reject: rejectAnswer,
      settle: () => {
        this.running = undefined;
        if (this.worker !== undefined) this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS).unref();
        settle();
      },
      onProgress,
    };
    try {
      worker.postMessage(job);
    } catch (error) {
      // Not plain data (a DataCloneError): the thread never saw the job.
      this.running = undefined;
      throw error;
    }
    return { answer, settled };
  }

  /** Ends the thread (the service stops): a job it ran fails. */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  /** Ends the thread for good: no job starts after this (Nest calls it as the service stops). */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const { filename, eval: evaluate } = workerEntry(this.entry);
    const worker = new Worker(filename, {
      eval: evaluate,
      workerData: this.workerData,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    // The thread never keeps the process alive by itself (an idle one is ended anyway).
    worker.unref();
    worker.on('message', (message: WorkerMessage) => this.receive(message));
    // A thread past its heap limit reports ERR_WORKER_OUT_OF_MEMORY.
    worker.on('error', (error: Error & { code?: string }) => this.fail(worker, `${error.code ?? error.name}: ${error.message}`));
    worker.on('exit', (code) => this.fail(worker, `the long-work thread stopped with exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(message: WorkerMessage): void {
    const running = this.running;
    if (message.type === 'warning') this.logger.warn(message.message);
    if (running === undefined) return;
    switch (message.type) {
      case 'progress':
        running.onProgress?.(message.position, message.upTo);
        break;
      case 'answer':
        running.answered = true;
        running.resolve(message.answer);
        break;
      case 'failed':
        running.answered = true;
        running.reject(fromWireError(message.error));
        break;
      case 'settled':
        running.settle();
        break;
    }
  }

  /** The thread died: the job it ran fails, and the next one starts a new thread. */
  private fail(worker: Worker, reason: string): void {
    if (this.worker === worker) this.worker = undefined;
    const running = this.running;
    // An idle thread ended on purpose, or one that died after its job: nothing to fail.
    if (running === undefined || running.worker !== worker) return;
    this.logger.error(`Long-work thread failed: ${reason}`);
    if (!running.answered) running.reject(new LongWorkFailedError(reason));
    running.answered = true;
    running.settle();
  }
}
