import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { InvalidArgumentError, type Command } from 'commander';
import { MasterKey, rotateMasterKey, SqlitePersonKeyStore } from '@cases/personal-data';
import { AppModule } from '../app.module';
import { DirectoryService } from '../auth/directory.service';
import { loadConfig, type AppConfig } from '../config/app-config';
import { MASTER_KEY_FILE, loadMasterKey } from '../personal-data/master-key';
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

  const personKeys = program
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

  personKeys
    .command('rotate-master')
    .description(
      'Rewrap every person\'s data key under a new master key (docs/security.md, "Rotating the master key"). The new key (base64 of 32 bytes) ' +
        "comes from CASES_NEW_MASTER_KEY or the first line of standard input, never the command line; the current one is the service's own " +
        '(CASES_MASTER_KEY or DATA_DIR/master.key). Stop the service first. Each key is rewrapped on its own: after an interruption, run it ' +
        'again with the same keys. On the embedded default, DATA_DIR/master.key is replaced once every key is rewrapped.',
    )
    .action(async () => {
      const code = await runRotateMasterCommand(loadConfig(), process.env.CASES_NEW_MASTER_KEY ?? (await firstLineOfStandardInput()));
      process.exitCode = code;
    });
}

async function firstLineOfStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * `person-keys rotate-master`: rewraps every live key from the master key in use to `newKeyText`,
 * prints what it did (counts and key ids, never a key) and answers the exit code: 0 when every
 * live key is under the new master key, 1 when some are under a master key it does not know.
 * Where the master key in use is the embedded default's file, the file then takes the new key
 * (written beside it and renamed over it, mode 0600); a run again after that finds the new key in
 * use and every key already under it.
 */
export async function runRotateMasterCommand(config: AppConfig, newKeyText: string): Promise<number> {
  let next: MasterKey;
  try {
    next = MasterKey.fromBase64(newKeyText, 'The new master key (CASES_NEW_MASTER_KEY or standard input)');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  const keyFile = config.masterKey === undefined ? join(config.dataDir, MASTER_KEY_FILE) : undefined;
  const current = loadMasterKey(config);
  if (current.id === next.id) {
    console.log(`The master key in use is already ${next.id}: nothing to rotate.`);
    return 0;
  }
  const keys = await openPersonKeyStore(config);
  try {
    console.log(`Rewrapping people's data keys: master key ${current.id} → ${next.id}`);
    const outcome = await rotateMasterKey(keys, current, next);
    // No page of the old wrappings stays in the SQLite WAL (PostgreSQL: see docs/security.md).
    if (keys instanceof SqlitePersonKeyStore) keys.checkpoint();
    console.log(
      `Rewrapped ${outcome.rewrapped}; already under the new key ${outcome.alreadyRotated}; destroyed ${outcome.destroyed}; ` +
        `under another master key ${outcome.foreign}.`,
    );
    if (outcome.foreign > 0) {
      console.error(`${outcome.foreign} keys are wrapped by a master key that is neither ${current.id} nor ${next.id}: left as they are.`);
      return 1;
    }
    if (keyFile !== undefined && existsSync(keyFile)) {
      const fresh = `${keyFile}.new`;
      writeFileSync(fresh, `${newKeyText.trim()}\n`, { mode: 0o600 });
      chmodSync(fresh, 0o600);
      renameSync(fresh, keyFile);
      console.log(`${keyFile} now holds the new master key; start the service as before.`);
    } else {
      console.log(`Start the service with CASES_MASTER_KEY set to the new key (id ${next.id}), then destroy the old one.`);
    }
    return 0;
  } finally {
    await keys.close();
  }
}
