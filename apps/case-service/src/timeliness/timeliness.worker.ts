/**
 * The long-work thread's entry point (docs/statistics.md, "Long work"): runs the timeliness jobs
 * (timeliness-jobs.ts) one after another, off the service's event loop, against a store connection
 * of its own, and posts back progress, the answer and, once the work left after it is done
 * (a snapshot), that it is settled. Started by `LongWorkThread`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBusinessCalendar, parseHolidayOverride } from '@cases/domain';
import { readFileSync } from 'node:fs';
import { openLongWorkStore, toWireError, type LongWorkStoreSettings, type WorkerMessage } from '../long-work/long-work.protocol';
import { runTimelinessJob, type TimelinessJob, type TimelinessJobSettings } from './timeliness-jobs';

export type TimelinessWorkerData = TimelinessJobSettings & LongWorkStoreSettings & { calendarOverrideFile?: string };

const settings = workerData as TimelinessWorkerData;
const port = parentPort;
if (port === null) throw new Error('timeliness.worker runs as a worker thread (LongWorkThread)');

// The same calendar as the service's: the override file was read and checked at its start.
const calendar = createBusinessCalendar(
  settings.calendarOverrideFile ? { override: parseHolidayOverride(JSON.parse(readFileSync(settings.calendarOverrideFile, 'utf8'))) } : {},
);
const store = openLongWorkStore(settings);
// Unhandled here, a failed open would end the thread; the job that needs the store reports it.
store.catch(() => undefined);

let queue: Promise<void> = Promise.resolve();
port.on('message', (job: TimelinessJob) => {
  queue = queue.then(() => run(job));
});

async function run(job: TimelinessJob): Promise<void> {
  const post = (message: WorkerMessage): void => port!.postMessage(message);
  const after: (() => Promise<void>)[] = [];
  try {
    const answer = await runTimelinessJob(
      await store,
      settings,
      calendar,
      job,
      (position, upTo) => post({ type: 'progress', position, upTo }),
      (work) => after.push(work),
    );
    post({ type: 'answer', answer });
  } catch (error) {
    post({ type: 'failed', error: toWireError(error) });
  }
  for (const work of after) {
    // Derived data (a snapshot): a failure only costs the next report some speed.
    await work().catch((error: unknown) => post({ type: 'warning', message: `Timeliness snapshot not written: ${String(error)}` }));
  }
  post({ type: 'settled' });
}
