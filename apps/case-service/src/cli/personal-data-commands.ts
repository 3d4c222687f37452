import { createHash, randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { InvalidArgumentError, type Command } from 'commander';
import { AppModule } from '../app.module';
import { DirectoryService } from '../auth/directory.service';
import { loadConfig } from '../config/app-config';
import { PersonalDataAccess } from '../personal-data/personal-data-access.service';
import { openPersonKeyStore } from '../personal-data/person-key-store.provider';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('expected a UUID');
  return value;
}

/**
 * `shred`, the command-line twin of POST /api/personal-data/{personId}/destroy, and `person-keys`,
 * the key store's audit listing (ids and dates only: neither keys nor anything about the people).
 */
export function registerPersonalDataCommands(program: Command): void {
  program
    .command('shred')
    .description(
      "Destroy a person's data key (crypto-shredding): records PersonalDataDestroyed on the person's case, then erases the key. Cannot be undone.",
    )
    .argument('<personId>', 'the person, as the case view names them (personal.*.personId)', uuid)
    .requiredOption('--reason <text>', 'why (the legal basis or request), recorded in the event')
    .requiredOption('--by <username>', 'the admin on whose authority it is done, recorded as the actor')
    .action(async (personId: string, options: { reason: string; by: string }) => {
      const reason = options.reason.trim();
      if (reason === '' || Array.from(reason).length > 500) throw new InvalidArgumentError('--reason must be 1 to 500 characters');
      const config = { ...loadConfig(), schedulerIntervalMs: 0 };
      const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
      try {
        const user = (await context.get(DirectoryService).fresh()).users.get(options.by);
        if (user === undefined || !user.active || user.role !== 'admin') {
          throw new InvalidArgumentError(`--by must name an active admin; '${options.by}' is not one`);
        }
        const done = await context.get(PersonalDataAccess).destroy(personId, reason, {
          actor: { id: user.username, role: 'admin' },
          correlationId: randomUUID(),
          causationId: null,
          requestHash: createHash('sha256')
            .update(`destroy-personal-data\n${JSON.stringify({ personId, reason })}`)
            .digest('hex'),
        });
        console.log(
          `Destroyed the data key of person ${done.personId} (case ${done.caseId}) at ${done.destroyedAt}` +
            (done.revision === null ? '; no case recorded it (its intake never reached the log)' : `; case revision ${done.revision}`),
        );
      } finally {
        await context.close();
      }
    });

  program
    .command('person-keys')
    .description("List the people the key store knows, for audit: person id, case, created, destroyed (never a key, never a person's data)")
    .option('--case <caseId>', 'only the people of this case', uuid)
    .action(async (options: { case?: string }) => {
      const keys = await openPersonKeyStore(loadConfig());
      try {
        for (const row of await keys.list(options.case === undefined ? {} : { caseId: options.case })) {
          console.log([row.personId, row.caseId, row.createdAt.toISOString(), row.destroyedAt?.toISOString() ?? 'live'].join('\t'));
        }
      } finally {
        await keys.close();
      }
    });
}
