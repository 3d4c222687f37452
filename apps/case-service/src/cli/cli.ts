import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { SqliteEventStore } from '@cases/event-store';
import { caseProjections } from '@cases/read-models';
import { loadConfig } from '../config/app-config';
import { createProjectionRunner } from '../infrastructure/read-models.provider';
import { verifyEventLog } from './verify-event-log';

/** The operator CLI. It opens the same files as the service (DATA_DIR); stop the service before a rebuild. */
function openStore() {
  const config = loadConfig();
  const store = SqliteEventStore.open(join(config.dataDir, 'events.db'));
  return { config, store };
}

function progressBar(label: string): SingleBar {
  return new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left`, hideCursor: true },
    Presets.shades_classic,
  );
}

const program = new Command()
  .name('case-service-cli')
  .description('Operator commands for the case service. Reads DATA_DIR (default ./data) like the service.');

const projectionNames = caseProjections().map((projection) => projection.name);

program
  .command('rebuild')
  .description(`Rebuild read models from zero by replaying the whole event log (${projectionNames.join(', ')}, or all)`)
  .argument('<projection>', `one of ${[...projectionNames, 'all'].join(', ')}`, (value: string) => {
    if (value !== 'all' && !projectionNames.includes(value)) {
      throw new InvalidArgumentError(`expected one of ${[...projectionNames, 'all'].join(', ')}`);
    }
    return value;
  })
  .action(async (projection: string) => {
    const { config, store } = openStore();
    const runner = createProjectionRunner(config, store);
    try {
      for (const name of projection === 'all' ? projectionNames : [projection]) {
        const bar = progressBar(name.padEnd(12));
        bar.start(Number(await store.headPosition()), 0);
        const result = await runner.rebuild(name, (progress) => {
          bar.setTotal(Number(progress.head));
          bar.update(Number(progress.position));
        });
        bar.stop();
        const rate = result.elapsedMs > 0 ? Math.round((result.processed / result.elapsedMs) * 1000) : result.processed;
        console.log(`${name}: ${result.processed} events to position ${result.position} in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate} events/s)`);
      }
    } finally {
      await runner.stop();
      await store.close();
    }
  });

program
  .command('verify')
  .description('Check the event log: ordered positions, gap-free stream revisions, every case event readable and foldable, unique case numbers')
  .action(async () => {
    const { store } = openStore();
    try {
      const bar = progressBar('verify');
      bar.start(Number(await store.headPosition()), 0);
      const result = await verifyEventLog(store, (processed, head) => {
        bar.setTotal(Number(head));
        bar.update(processed);
      });
      bar.stop();
      console.log(`${result.events} events in ${result.streams} streams (${result.cases} cases), head position ${result.head}`);
      if (result.problems.length === 0) {
        console.log('No problems found.');
      } else {
        for (const problem of result.problems) console.error(`problem: ${problem}`);
        process.exitCode = 1;
      }
    } finally {
      await store.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
