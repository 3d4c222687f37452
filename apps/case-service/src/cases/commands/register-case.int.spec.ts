import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IntakeDetails } from '@cases/domain';
import { SqliteEventStore, WrongExpectedVersionError, type StreamAppend } from '@cases/event-store';
import type { PersonalDataVault } from '@cases/personal-data';
import type { AppConfig } from '../../config/app-config';
import { NO_CASE, type CaseCommandPipeline } from './case-command.pipeline';
import { CaseNumberAllocator } from './case-number.allocator';
import type { CommandRequest } from './command-request';
import { RegisterCaseCommand, RegisterCaseHandler } from './register-case.command';

/**
 * The intake handler gives back every case number it reserved but did not take, however the
 * intake ends. A number left outstanding would hold up for ever every later number of the
 * instance that lost on the sequence and waited for it (seen as a 12345 consumer that stopped on
 * one partition while the platform's tickets were being delivered again).
 */

const AT = new Date('2026-03-02T01:00:00Z');
const INTAKE: IntakeDetails = {
  type: 'register-petition',
  title: '楼上漏水',
  description: '楼上漏水三天',
  community: '小寨社区',
  channel: 'visit',
  petitioner: { name: '张三', phone: '13800000000' },
};
const REQUEST: CommandRequest = {
  actor: { id: 'desk-1', role: 'desk' },
  correlationId: '1f0e5c3a-7a43-4f43-9d59-0d7a2b8c1e11',
  causationId: null,
  requestHash: 'a'.repeat(64),
};

/** A pipeline whose every append loses on the case-number sequence, counting the appends tried. */
function losingOnTheSequence(reads: Partial<Record<'load' | 'findReplay', unknown>>) {
  let appends = 0;
  const pipeline = {
    check: () => undefined,
    ...reads,
    execute: async ({ alongside }: { alongside: StreamAppend }) => {
      appends += 1;
      throw new WrongExpectedVersionError(alongside.streamId, alongside.expectedRevision ?? 'any', 'no_stream');
    },
  } as unknown as CaseCommandPipeline;
  return { pipeline, appends: () => appends };
}

function handlerOn(pipeline: CaseCommandPipeline, numbers: CaseNumberAllocator): RegisterCaseHandler {
  return new RegisterCaseHandler(
    pipeline,
    numbers,
    { org: { id: 'org', name: '测试街道' } } as unknown as AppConfig,
    { now: () => AT },
    {} as PersonalDataVault,
  );
}

describe('RegisterCaseHandler: case numbers', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'register-case-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an intake that loses on the sequence on every attempt gives its number back, so the next intake takes it', async () => {
    const numbers = new CaseNumberAllocator(store);
    // Every append loses on the sequence stream, as when other intakes keep taking the number first.
    const losing = losingOnTheSequence({ load: async () => NO_CASE });
    const handler = handlerOn(losing.pipeline, numbers);

    await expect(handler.execute(new RegisterCaseCommand(INTAKE, REQUEST))).rejects.toThrow(/no case number after 20 attempts/);
    expect(losing.appends()).toBeGreaterThanOrEqual(20);

    const next = await numbers.reserve('org', 'petition', AT, 'case-2');
    expect(next.number).toBe('XF2026-0001');
    // A number after it that loses on the sequence does not wait for a number nobody holds.
    const after = await numbers.reserve('org', 'petition', AT, 'case-3');
    numbers.unused(next);
    const conflict = new WrongExpectedVersionError(after.append.streamId, after.append.expectedRevision ?? 'any', 'no_stream');
    await expect(numbers.conflicted(after, conflict)).resolves.toMatchObject({ number: 'XF2026-0001' });
  });

  it('a repeated intake whose first try loses on the sequence is answered from its case on file, with no second try', async () => {
    const numbers = new CaseNumberAllocator(store);
    const repeated: CommandRequest = { ...REQUEST, idempotencyKey: 'intake-once' };
    const onFile = {
      state: { status: 'registered', number: 'XF2026-0007' },
      revision: 0n,
      recorded: [{ revision: 0n, position: 41n, metadata: { idempotencyKey: 'intake-once', requestHash: REQUEST.requestHash } }],
    };
    // The first try takes the stream to be missing; it loses on a stale number before the case stream is looked at.
    const losing = losingOnTheSequence({
      load: async () => onFile,
      findReplay: (id: string) => ({ id, revision: 0n, position: 41n, replayed: true }),
    });
    const handler = handlerOn(losing.pipeline, numbers);

    await expect(handler.execute(new RegisterCaseCommand(INTAKE, repeated))).resolves.toMatchObject({
      number: 'XF2026-0007',
      revision: 0n,
      position: 41n,
      replayed: true,
    });
    expect(losing.appends()).toBe(1);
    // The number it reserved was given back.
    await expect(numbers.reserve('org', 'petition', AT, 'case-2')).resolves.toMatchObject({ number: 'XF2026-0001' });
  });
});
