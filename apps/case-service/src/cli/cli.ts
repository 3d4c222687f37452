import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  TIMELINESS_DIMENSIONS,
  USER_ROLES,
  changePassword,
  changeUser,
  registerUser,
  type Actor,
  type TimelinessDimension,
  type UserRole,
} from '@cases/domain';
import { DirectoryService } from '../auth/directory.service';
import { hashPassword } from '../auth/password-hasher';
import { systemClock } from '../infrastructure/clock';
import { caseProjections } from '@cases/read-models';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { openEventStore } from '../infrastructure/event-store.provider';
import { createProjectionRunner } from '../infrastructure/read-models.provider';
import { REPORT_FORMATS, type ReportFormat } from '../reports/render';
import { parseInstant } from '../timeliness/timeliness-query.dto';
import { TimelinessService } from '../timeliness/timeliness.service';
import { registerKafkaCommands } from './kafka-commands';
import { MOVE_SOURCE_HELP, MOVE_TARGET_HELP, runMoveStoreCommand } from './move-store';
import { registerParkedEventCommands } from './parked-event-commands';
import { registerPersonalDataCommands } from './personal-data-commands';
import { verifyEventLog } from './verify-event-log';

/** The operator CLI. It opens the same store (EVENT_STORE), read models (READ_MODELS) and files (DATA_DIR) as the service; stop the service before a rebuild. */
async function openStore() {
  const config = loadConfig();
  const store = await openEventStore(config);
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
    const { config, store } = await openStore();
    let runner: Awaited<ReturnType<typeof createProjectionRunner>>;
    try {
      runner = await createProjectionRunner(config, store);
    } catch (error) {
      await store.close();
      throw error;
    }
    try {
      const names = projection === 'all' ? projectionNames : [projection];
      const bar = progressBar(names.length > 1 ? 'all' : projection);
      bar.start(Number(await store.headPosition()), 0);
      const result = await runner.rebuildAll(names, (progress) => {
        bar.setTotal(Number(progress.head));
        bar.update(Number(progress.position));
      });
      bar.stop();
      const rate = result.elapsedMs > 0 ? Math.round((result.processed / result.elapsedMs) * 1000) : result.processed;
      console.log(
        `${result.projection}: ${result.processed} events to position ${result.position} in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate} events/s)`,
      );
    } finally {
      await runner.stop();
      await store.close();
    }
  });

program
  .command('verify')
  .description(
    'Check the event log: every event matches its hash and links to its predecessor, ordered positions, gap-free stream revisions, every case event readable and foldable, unique case numbers',
  )
  .action(async () => {
    const { store } = await openStore();
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

/** The service's modules without HTTP and without the deadline scheduler: reads only. */
async function withTimeliness<T>(work: (timeliness: TimelinessService) => Promise<T>): Promise<T> {
  const config = { ...loadConfig(), schedulerIntervalMs: 0 };
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    return await work(context.get(TimelinessService));
  } finally {
    await context.close();
  }
}

function replayBar(label: string) {
  const bar = progressBar(label);
  let started = false;
  return {
    update(position: bigint, upTo: bigint) {
      if (!started) bar.start(Number(upTo), 0);
      started = true;
      bar.update(Number(position));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function position(value: string): bigint {
  if (!/^\d{1,19}$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return BigInt(value);
}

program
  .command('report')
  .description('Export the monthly overdue / unsatisfied ticket report (月度通报) of a month to a file')
  .argument('<month>', 'YYYY-MM, in Asia/Shanghai time', (value: string) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('expected YYYY-MM');
    return value;
  })
  .addOption(new Option('-f, --format <format>', 'file format').choices(REPORT_FORMATS).default('xlsx'))
  .option('-o, --out <file>', 'output file (default: monthly-report-<month>-at-<position>.<format>)')
  .option('-p, --position <position>', 'reproduce the report as computed at this global log position', position)
  .action(async (month: string, options: { format: ReportFormat; out?: string; position?: bigint }) => {
    await withTimeliness(async (timeliness) => {
      const bar = replayBar('replay');
      const { report, rendered } = await timeliness.renderedMonthlyReport(month, options.format, {
        position: options.position,
        onProgress: (done, upTo) => bar.update(done, upTo),
      });
      bar.stop();
      const file = options.out ?? rendered.fileName;
      writeFileSync(
        file,
        Buffer.isBuffer(rendered.body) || typeof rendered.body === 'string' ? rendered.body : JSON.stringify(rendered.body, null, 2),
      );
      console.log(
        `${file}: ${month} at log position ${report.position}, ${report.units.length} units, ${report.overdue.length} overdue, ${report.unsatisfied.length} unsatisfied`,
      );
    });
  });

program
  .command('what-if')
  .description('Timeliness KPIs under an alternative deadline policy, by replaying the log (the live read models are not touched)')
  .requiredOption('--policy <file>', 'a deadline policy file, in the format of POLICY_FILE')
  .requiredOption('--from <date>', 'start of the period (YYYY-MM-DD or ISO-8601), inclusive')
  .requiredOption('--to <date>', 'end of the period, exclusive')
  .option('--group-by <dimensions>', `comma-separated: ${TIMELINESS_DIMENSIONS.join(', ')}`, (value: string) => {
    const dimensions = value.split(',').map((item) => item.trim());
    for (const dimension of dimensions) {
      if (!(TIMELINESS_DIMENSIONS as readonly string[]).includes(dimension)) {
        throw new InvalidArgumentError(`expected only ${TIMELINESS_DIMENSIONS.join(', ')}`);
      }
    }
    return dimensions as TimelinessDimension[];
  })
  .action(async (options: { policy: string; from: string; to: string; groupBy?: TimelinessDimension[] }) => {
    const policyJson: unknown = JSON.parse(readFileSync(options.policy, 'utf8'));
    await withTimeliness(async (timeliness) => {
      const request = {
        from: parseInstant(options.from),
        to: parseInstant(options.to),
        ...(options.groupBy ? { groupBy: options.groupBy } : {}),
      };
      const live = await timeliness.kpis(request);
      const bar = replayBar('replay');
      const alternative = await timeliness.whatIf(request, policyJson, (done, upTo) => bar.update(done, upTo));
      bar.stop();
      console.log(JSON.stringify({ live, whatIf: alternative }, null, 2));
    });
  });

/** Who the directory records a change made from the command line as. */
const OPERATOR: Actor = { id: 'operator-cli', role: 'system' };

async function openDirectory() {
  const { config, store } = await openStore();
  return { store, directory: new DirectoryService(store, config, systemClock) };
}

/** The first line of standard input: a password never goes on the command line, where shells keep it. */
async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (password.length < 10) throw new InvalidArgumentError('the password (first line of standard input) must be at least 10 characters');
  return password;
}

const users = program.command('users').description('Manage users (the same directory as /api/users; every change is an event)');

users
  .command('list')
  .description('Every user: username, role, unit, active')
  .action(async () => {
    const { store, directory } = await openDirectory();
    try {
      for (const user of (await directory.fresh()).users.values()) {
        console.log([user.username, user.role, user.unit ?? '-', user.active ? 'active' : 'disabled', user.displayName].join('\t'));
      }
    } finally {
      await store.close();
    }
  });

users
  .command('create')
  .description('Create a user; the password is read from the first line of standard input')
  .argument('<username>')
  .addOption(new Option('--role <role>', 'role').choices(USER_ROLES).makeOptionMandatory())
  .requiredOption('--name <displayName>', 'name shown in the console')
  .option('--unit <code>', 'unit code, for the unit role')
  .action(async (username: string, options: { role: UserRole; name: string; unit?: string }) => {
    const passwordHash = await hashPassword(await passwordFromStdin());
    const { store, directory } = await openDirectory();
    try {
      await directory.change(OPERATOR, (current) =>
        registerUser(current, { username, displayName: options.name, role: options.role, unit: options.unit, passwordHash }),
      );
      console.log(`Created ${username} (${options.role}${options.unit ? `, ${options.unit}` : ''})`);
    } finally {
      await store.close();
    }
  });

users
  .command('update')
  .description("Change a user's role, unit, name or active flag, or reset the password (from standard input); ends their sessions")
  .argument('<username>')
  .addOption(new Option('--role <role>', 'new role').choices(USER_ROLES))
  .option('--unit <code>', 'new unit code')
  .option('--name <displayName>', 'new display name')
  .option('--disable', 'disable the user')
  .option('--enable', 'enable the user')
  .option('--reset-password', 'read a new password from standard input')
  .action(
    async (
      username: string,
      options: { role?: UserRole; unit?: string; name?: string; disable?: boolean; enable?: boolean; resetPassword?: boolean },
    ) => {
      const passwordHash = options.resetPassword ? await hashPassword(await passwordFromStdin()) : undefined;
      const active = options.disable ? false : options.enable ? true : undefined;
      const { store, directory } = await openDirectory();
      try {
        await directory.change(OPERATOR, (current) => [
          ...changeUser(current, username, { role: options.role, unit: options.unit, displayName: options.name, active }),
          ...(passwordHash === undefined ? [] : changePassword(current, username, passwordHash)),
        ]);
        console.log(`Updated ${username}`);
      } finally {
        await store.close();
      }
    },
  );

program
  .command('units')
  .description('List the handling units of the directory (manage them with /api/units)')
  .action(async () => {
    const { store, directory } = await openDirectory();
    try {
      for (const unit of (await directory.fresh()).units.values()) {
        console.log([unit.code, unit.type, unit.active ? 'active' : 'inactive', unit.name].join('\t'));
      }
    } finally {
      await store.close();
    }
  });

program
  .command('move-store')
  .description(
    'Copy the whole event log from the embedded store to PostgreSQL or KurrentDB, keeping event ids, order, stream revisions and metadata, ' +
      'then verify the copy (counts and a sha256 digest). Stop the service first; run it again to resume an interrupted copy.',
  )
  .requiredOption('--from <store>', MOVE_SOURCE_HELP)
  .requiredOption('--to <store>', MOVE_TARGET_HELP)
  .option('--batch <events>', 'most events in one append (default 500)', (value: string) => {
    if (!/^[1-9]\d{0,4}$/.test(value)) throw new InvalidArgumentError('expected an integer from 1 to 99999');
    return Number(value);
  })
  .option('--verify-only', 'compare the two logs without copying anything')
  .action(async (options: { from: string; to: string; batch?: number; verifyOnly?: boolean }) => {
    process.exitCode = await runMoveStoreCommand(options);
  });

registerPersonalDataCommands(program);
registerKafkaCommands(program);
registerParkedEventCommands(program);

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
