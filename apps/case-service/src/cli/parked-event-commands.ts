import { InvalidArgumentError, type Command } from 'commander';
import type { ParkedEvent, ProjectionRunner, ReplayOutcome } from '@cases/read-models';
import { loadConfig } from '../config/app-config';
import { openEventStore } from '../infrastructure/event-store.provider';
import { createProjectionRunner } from '../infrastructure/read-models.provider';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function caseId(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('expected a case id (UUID)');
  return value;
}

/** The read models READ_MODELS names, without following the log: the service (running or not) does that. */
async function withRunner<T>(work: (runner: ProjectionRunner) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openEventStore(config);
  let runner: ProjectionRunner;
  try {
    runner = await createProjectionRunner(config, store);
  } catch (error) {
    await store.close();
    throw error;
  }
  try {
    return await work(runner);
  } finally {
    await runner.stop();
    await store.close();
  }
}

/** One line per parked event: where it is and why, never what it holds. */
export function parkedEventLine(event: ParkedEvent): string {
  return [
    event.position,
    event.projection,
    event.caseId,
    `revision ${event.revision}`,
    event.type,
    event.reason,
    `parked ${event.parkedAt}`,
    `replays failed ${event.replayAttempts}`,
    event.error ?? '-',
  ].join('\t');
}

export function replayOutcomeLine(outcome: ReplayOutcome): string {
  const what = {
    replayed: `replayed ${outcome.events} event(s)`,
    failed: `still parked (${outcome.events} event(s))`,
    none: 'nothing parked',
  }[outcome.outcome];
  return `${outcome.caseId}\t${outcome.projection}\t${what}${outcome.error === undefined ? '' : `: ${outcome.error}`}`;
}

/**
 * `parked list` and `parked replay`: the events a read model parked because it could not decode,
 * upcast or fold them (docs/architecture.md, "Parked events"). Both may run while the service runs.
 */
export function registerParkedEventCommands(program: Command): void {
  const parked = program
    .command('parked')
    .description(
      'Events a read model parked (could not decode, upcast or fold) and the later events of their cases held back behind them; the other cases go on',
    );

  parked
    .command('list')
    .description(
      'List parked events in log order: position, read model, case, revision, type, refused or held, when, failed replays, error',
    )
    .option('--case <caseId>', 'only the events of this case', caseId)
    .action(async (options: { case?: string }) => {
      await withRunner(async (runner) => {
        const events = await runner.parkedEvents(options.case === undefined ? {} : { caseId: options.case });
        if (events.length === 0) console.log('No parked events.');
        for (const event of events) console.log(parkedEventLine(event));
      });
    });

  parked
    .command('replay')
    .description(
      "Re-apply each parked case's whole stream from the event log to the read models that parked it, once a release that reads the refused event is in place; " +
        'a case that applies is current again and leaves the list, one that still refuses stays with the new error (exit code 1)',
    )
    .option('--case <caseId>', 'replay this case', caseId)
    .option('--all', 'replay every parked case')
    .action(async (options: { case?: string; all?: boolean }) => {
      if ((options.case === undefined) === (options.all !== true)) throw new InvalidArgumentError('give either --case <caseId> or --all');
      await withRunner(async (runner) => {
        const outcomes = await runner.replayParked(options.case === undefined ? {} : { caseId: options.case });
        if (outcomes.length === 0) console.log('No parked events.');
        for (const outcome of outcomes) console.log(replayOutcomeLine(outcome));
        if (outcomes.some((outcome) => outcome.outcome === 'failed')) process.exitCode = 1;
      });
    });
}
