import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { caseStreamId } from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { isSealedPerson } from '@cases/personal-data';
import { registerPersonalDataCommands } from '../apps/case-service/src/cli/personal-data-commands';
import { ADMIN, DESK, SUPERVISOR, TestApp, expectProblem, expectStatus, typesOf, unitUser } from './support/test-app';
import { postgresTableTexts, testStoreKind } from './support/test-stores';

/*
 * SPEC §7 end to end: people are sealed per person in the log, masked in views, shown in full
 * only to the roles that need them and only on the record, withheld from handling units, and
 * erased by destroying their key while the case and its history stay whole.
 */

/** People with values found nowhere else, so a scan of files and logs for them means something. */
const PETITIONER = { name: '欧阳明远', phone: '13698765432', idNumber: '610113198507072345', address: '曲江新区芙蓉西路88号' };
const CALLER = { name: '司马清扬', phone: '15887654321' };
const APPLICANT = { name: '上官云舒', phone: '18611223344', role: '申请人' };
const RESPONDENT = { name: '诸葛长青', role: '被申请人' };
const PARTIES = [APPLICANT, RESPONDENT];
const PLAINTEXT: readonly string[] = [
  ...Object.values(PETITIONER),
  ...Object.values(CALLER),
  APPLICANT.name,
  APPLICANT.phone,
  RESPONDENT.name,
];
const HANDLING_UNIT = '小寨社区';
const UNIT = unitUser(HANDLING_UNIT);

function petition(title = '小区楼道堆放杂物') {
  return {
    title,
    description: '3号楼2单元楼道长期堆放杂物，存在消防隐患。',
    channel: 'visit',
    community: HANDLING_UNIT,
    petitioner: { ...PETITIONER },
  };
}

function dispute(title = '楼上漏水纠纷') {
  return {
    title,
    description: '5号楼601卫生间漏水导致501天花板受损。',
    source: 'screening',
    community: '大雁塔社区',
    parties: PARTIES.map((p) => ({ ...p })),
  };
}

function hotline() {
  return {
    platformTicketNo: `GD${Date.now()}${Math.floor(Math.random() * 1000)}`,
    title: '路灯不亮',
    description: '长安南路与小寨东路交叉口路灯连续三晚不亮。',
    community: HANDLING_UNIT,
    urgency: 'normal',
    caller: { ...CALLER },
  };
}

/** Every file under `dir`, recursively, as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

function leaksIn(haystack: Buffer | string, values: readonly string[]): string[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return values.filter((value) => bytes.includes(Buffer.from(value, 'utf8')));
}

describe('personal data sealed per person (SPEC §7)', () => {
  let t: TestApp;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    t = await TestApp.start({ env: { LOG_LEVEL: 'debug' }, logDestination });
  });

  afterAll(() => t?.stop());

  async function registered(body: object, kind: 'petition' | 'hotline' | 'dispute'): Promise<string> {
    return (await t.intake(kind, body)).body.id as string;
  }

  async function dispatched(id: string): Promise<void> {
    // A hotline ticket arrives accepted; petitions and disputes are accepted first.
    if ((await t.view(id)).status === 'registered') await t.ok(id, 'accept');
    await t.ok(id, 'dispatch', { unit: HANDLING_UNIT });
  }

  it('stores each person only as a sealed envelope, under a random person id, with no value anywhere in the event', async () => {
    const id = await registered(dispute(), 'dispute');
    const [intake] = await t.app.get<EventStore>(EVENT_STORE).readStream(caseStreamId(id), { maxCount: 1 });
    const { parties } = intake.personal as { parties: unknown[] };
    expect(parties).toHaveLength(2);
    expect(parties.every(isSealedPerson)).toBe(true);
    const personIds = (parties as { personId: string }[]).map((party) => party.personId);
    expect(new Set(personIds).size).toBe(2);
    expect(
      leaksIn(
        JSON.stringify(intake, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
        PLAINTEXT,
      ),
    ).toEqual([]);
    expect(JSON.stringify(intake.metadata)).not.toContain(personIds[0]);
    expect(intake.streamId).toBe(caseStreamId(id));
  });

  it('shows masked values with person ids by default, and a one-character name masked whole', async () => {
    const id = await registered({ ...petition(), petitioner: { name: '艾', phone: '13698765432' } }, 'petition');
    const view = await t.view(id, DESK);
    expect(view.personal).toEqual({ petitioner: { personId: expect.any(String), name: '*', phone: '136****5432' } });

    const full = await registered(petition(), 'petition');
    expect((await t.view(full, SUPERVISOR)).personal).toEqual({
      petitioner: {
        personId: expect.any(String),
        name: '欧***',
        phone: '136****5432',
        idNumber: '**************2345',
        address: '曲江新区芙******',
      },
    });
  });

  it('reveals full values to a supervisor only on the record: the access event comes first and the history shows who, when, which fields and why', async () => {
    const id = await registered(petition(), 'petition');
    const before = await t.history(id, SUPERVISOR);
    const t1 = t.clock.advance({ minutes: 1 }).toISOString();

    const res = await t.get(`/api/cases/${id}`, SUPERVISOR).query({ reveal: 'personal', reason: '回访核实联系方式' });
    expectStatus(res, 200);
    expect(res.body.personal).toEqual({ petitioner: { personId: expect.any(String), ...PETITIONER } });
    expect(res.headers.etag).toBe(`"${before.length}"`);
    expect(res.body.revision).toBe(before.length);

    const after = await t.history(id, SUPERVISOR);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(typesOf(after.slice(before.length))).toEqual(['PersonalDataRevealed']);
    const access = after[after.length - 1];
    expect(access).toMatchObject({
      command: 'reveal-personal-data',
      actor: { id: SUPERVISOR.id, role: 'supervisor' },
      recordedAt: t1,
      reason: '回访核实联系方式',
      data: { fields: ['petitioner.name', 'petitioner.phone', 'petitioner.idNumber', 'petitioner.address'], reason: '回访核实联系方式' },
    });
    expect(leaksIn(JSON.stringify(after), PLAINTEXT)).toEqual([]);

    // The masked view after it stands at the new revision, and records nothing more.
    expect((await t.view(id, DESK)).revision).toBe(before.length);
    expect(await t.history(id, DESK)).toHaveLength(after.length);
  });

  it('reveals to the desk and the admin too, each read its own record', async () => {
    const id = await registered(hotline(), 'hotline');
    for (const as of [DESK, ADMIN]) {
      const res = await t.get(`/api/cases/${id}`, as).query({ reveal: 'personal', reason: '电话回访' });
      expectStatus(res, 200);
      expect(res.body.personal).toEqual({ caller: { personId: expect.any(String), ...CALLER } });
    }
    const accesses = (await t.history(id)).filter((event) => event.type === 'PersonalDataRevealed');
    expect(accesses.map((event) => event.actor.id)).toEqual([DESK.id, ADMIN.id]);
    expect(accesses[0].data.fields).toEqual(['caller.name', 'caller.phone']);
  });

  it('refuses a reveal without a reason, a reason without a reveal, and any other reveal, recording nothing', async () => {
    const id = await registered(petition(), 'petition');
    const length = (await t.history(id)).length;
    const bad = [{ reveal: 'personal' }, { reveal: 'personal', reason: '   ' }, { reason: '核实' }, { reveal: 'all', reason: '核实' }];
    for (const query of bad) {
      const res = await t.get(`/api/cases/${id}`, SUPERVISOR).query(query);
      expectProblem(res, 400, 'REQUEST.INVALID');
      expect(leaksIn(JSON.stringify(res.body), PLAINTEXT)).toEqual([]);
    }
    expect(await t.history(id)).toHaveLength(length);
  });

  it('never shows a handling unit the petitioner, not even masked, and refuses it a reveal without recording one', async () => {
    const id = await registered(petition(), 'petition');
    await dispatched(id);
    const view = await t.view(id, UNIT);
    expect(view.personal).toEqual({ petitioner: { withheld: true, name: '（保密）' } });

    const length = (await t.history(id, UNIT)).length;
    const refused = await t.get(`/api/cases/${id}`, UNIT).query({ reveal: 'personal', reason: '联系信访人' });
    const problem = expectProblem(refused, 403, 'PERSONAL_DATA.FORBIDDEN');
    expect(await t.history(id, UNIT)).toHaveLength(length);

    // Nothing the unit can read names the petitioner: not the view, the history, the refusal, nor a reveal by someone else.
    await t.get(`/api/cases/${id}`, SUPERVISOR).query({ reveal: 'personal', reason: '督办核实' });
    const history = await t.history(id, UNIT);
    const seen = JSON.stringify([await t.view(id, UNIT), history, problem]);
    expect(leaksIn(seen, [...PLAINTEXT, '欧*', '欧***'])).toEqual([]);
    const personId = (await t.view(id, DESK)).personal.petitioner.personId as string;
    expect(seen).not.toContain(personId);
  });

  it('does not dispatch a petition to a unit it complains about unless a supervisor overrides with a reason; that unit never sees the petitioner', async () => {
    const complained = '城市管理科';
    const id = await registered({ ...petition(), complainedUnits: [complained] }, 'petition');
    expect((await t.view(id)).complainedUnits).toEqual([complained]);
    await t.ok(id, 'accept');
    const length = (await t.history(id)).length;

    const refused = expectProblem(await t.act(id, 'dispatch', { unit: complained }), 422, 'CASE.INVALID_COMMAND');
    expect(refused.detail).toContain(`complains about ${complained}`);
    expectProblem(await t.act(id, 'dispatch', { unit: complained, overrideReason: '唯一有管辖权' }), 403, 'CASE.FORBIDDEN');
    expect(await t.history(id)).toHaveLength(length);

    await t.ok(id, 'dispatch', { unit: complained, overrideReason: '唯一有管辖权的单位，已隐去信访人信息' }, { as: SUPERVISOR });
    const dispatched = (await t.history(id)).at(-1);
    expect(dispatched).toMatchObject({
      type: 'CaseDispatched',
      actor: { id: SUPERVISOR.id },
      data: { unit: complained, overrideReason: '唯一有管辖权的单位，已隐去信访人信息' },
    });

    const unit = unitUser(complained);
    const seen = [await t.view(id, unit), await t.history(id, unit)];
    expect(seen[0].personal).toEqual({ petitioner: { withheld: true, name: '（保密）' } });
    expect(leaksIn(JSON.stringify(seen), [...PLAINTEXT, '欧*', '欧***'])).toEqual([]);
  });

  it('shows a unit the caller and the parties masked, without person ids', async () => {
    const id = await registered(dispute(), 'dispute');
    await dispatched(id);
    expect((await t.view(id, UNIT)).personal).toEqual({
      parties: [
        { name: '上***', phone: '186****3344', role: '申请人' },
        { name: '诸***', role: '被申请人' },
      ],
    });
  });

  it('shreds one person: an admin destroys the key, the case records it, and every view shows the placeholder while the history stays whole', async () => {
    const id = await registered(dispute(), 'dispute');
    await dispatched(id);
    const view = await t.view(id, DESK);
    const [doomed, kept] = (view.personal.parties as { personId: string }[]).map((party) => party.personId);
    const before = await t.history(id, ADMIN);

    const t1 = t.clock.advance({ minutes: 1 }).toISOString();
    const res = await t.post(`/api/personal-data/${doomed}/destroy`, { reason: '当事人申请删除个人信息' }, { as: ADMIN });
    expectStatus(res, 200);
    expect(res.body).toEqual({ personId: doomed, caseId: id, destroyedAt: t1, revision: before.length, position: expect.any(String) });

    const after = await t.history(id, ADMIN);
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]).toMatchObject({
      type: 'PersonalDataDestroyed',
      command: 'destroy-personal-data',
      actor: { id: ADMIN.id, role: 'admin' },
      reason: '当事人申请删除个人信息',
      data: { personId: doomed },
    });

    const shredded = await t.view(id, DESK);
    expect(shredded).toMatchObject({ id, number: view.number, status: view.status, unit: HANDLING_UNIT, revision: before.length });
    expect(shredded.personal).toEqual({
      parties: [
        { personId: doomed, destroyed: true, name: '（已销毁）' },
        { personId: kept, name: '诸***', role: '被申请人' },
      ],
    });
    expect((await t.view(id, UNIT)).personal.parties[0]).toEqual({ destroyed: true, name: '（已销毁）' });
    const asOf = await t.get(`/api/cases/${id}`, DESK).query({ asOf: view.registeredAt });
    expectStatus(asOf, 200);
    expect(asOf.body.personal.parties[0]).toEqual({ personId: doomed, destroyed: true, name: '（已销毁）' });

    // A reveal shows the other party only, and records only what it showed.
    const revealed = await t.get(`/api/cases/${id}`, SUPERVISOR).query({ reveal: 'personal', reason: '复核' });
    expectStatus(revealed, 200);
    expect(revealed.body.personal.parties).toEqual([
      { personId: doomed, destroyed: true, name: '（已销毁）' },
      { personId: kept, ...RESPONDENT },
    ]);
    const access = (await t.history(id)).at(-1);
    expect(access.data.fields).toEqual(['parties[1].name']);
    expect(leaksIn(JSON.stringify(revealed.body), [APPLICANT.name, APPLICANT.phone])).toEqual([]);

    // The list's text search never held names: the shredded name finds nothing, the title finds the case.
    expect((await t.list({ text: APPLICANT.name })).total).toBe(0);
    expect((await t.list({ text: '楼上漏水纠纷' })).items.map((item: { id: string }) => item.id)).toContain(id);

    expectProblem(
      await t.post(`/api/personal-data/${doomed}/destroy`, { reason: '再次申请' }, { as: ADMIN }),
      409,
      'PERSONAL_DATA.ALREADY_DESTROYED',
    );
  });

  it('lets only an admin destroy, answers 404 for an unknown person and 400 for a malformed id or missing reason', async () => {
    const id = await registered(hotline(), 'hotline');
    const personId = (await t.view(id)).personal.caller.personId as string;
    const length = (await t.history(id)).length;
    for (const as of [DESK, SUPERVISOR, UNIT]) {
      expectStatus(await t.post(`/api/personal-data/${personId}/destroy`, { reason: '申请删除' }, { as }), 403);
    }
    expectProblem(
      await t.post(`/api/personal-data/${randomUUID()}/destroy`, { reason: '申请删除' }, { as: ADMIN }),
      404,
      'PERSONAL_DATA.NOT_FOUND',
    );
    expectProblem(await t.post('/api/personal-data/not-a-person/destroy', { reason: '申请删除' }, { as: ADMIN }), 400, 'REQUEST.INVALID');
    expectProblem(await t.post(`/api/personal-data/${personId}/destroy`, {}, { as: ADMIN }), 400, 'REQUEST.INVALID');
    expect(await t.history(id)).toHaveLength(length);
    expect((await t.view(id)).personal.caller).toEqual({ personId, name: '司***', phone: '158****4321' });
  });

  it('leaves no plaintext name, phone, ID number or address in any file of the data folder nor in the log', async () => {
    // A full run: every kind of intake, a reveal, a shredding, the history and list read back.
    const ids = [
      await registered(petition('全量扫描信访'), 'petition'),
      await registered(hotline(), 'hotline'),
      await registered(dispute('全量扫描纠纷'), 'dispute'),
    ];
    for (const id of ids) await dispatched(id);
    await t.get(`/api/cases/${ids[0]}`, SUPERVISOR).query({ reveal: 'personal', reason: '扫描前核实' });
    const partyId = (await t.view(ids[2])).personal.parties[0].personId as string;
    expectStatus(await t.post(`/api/personal-data/${partyId}/destroy`, { reason: '申请删除' }, { as: ADMIN }), 200);
    for (const id of ids) await t.history(id);
    await t.list({ text: '全量扫描' });

    // What the stores hold, as bytes: the files of the data folder, and on PostgreSQL every table
    // of the service's database besides (its files are the server's).
    const files = filesUnder(t.dataDir);
    const names = files.map((file) => file.path.slice(t.dataDir.length + 1));
    const held = files.map((file) => ({ place: file.path, bytes: file.bytes }));
    if (t.stores.kind === 'sqlite') {
      expect(names).toEqual(expect.arrayContaining(['events.db', 'read-models.db', 'person-keys.db', 'master.key']));
    } else {
      const tables = await postgresTableTexts(t.stores);
      expect([...tables.keys()]).toEqual(expect.arrayContaining(['event_store.events', 'personal_data.person_keys']));
      for (const [table, text] of tables) held.push({ place: table, bytes: Buffer.from(text, 'utf8') });
    }
    // The scan reads what the stores hold: the case titles are there in clear.
    expect(held.some((place) => place.bytes.includes(Buffer.from('全量扫描纠纷', 'utf8')))).toBe(true);
    const leaks = held
      .map((place) => ({ place: place.place, leaked: leaksIn(place.bytes, PLAINTEXT) }))
      .filter((found) => found.leaked.length > 0);
    expect(leaks).toEqual([]);

    const log = logLines.join('');
    expect(log).toContain('/api/personal-data/');
    expect(leaksIn(log, PLAINTEXT)).toEqual([]);
  });

  // Only the embedded default generates DATA_DIR/master.key; a service on PostgreSQL is given
  // CASES_MASTER_KEY (test/support/test-stores.ts), whose own test is the next one.
  if (testStoreKind() === 'sqlite') {
    it('keeps the generated master key readable by the service’s user only', () => {
      const mode = statSync(join(t.dataDir, 'master.key')).mode & 0o777;
      expect(mode).toBe(0o600);
    });
  }
});

describe('personal data with CASES_MASTER_KEY', () => {
  it('uses the configured key and writes no key file', async () => {
    const t = await TestApp.start({ env: { CASES_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') } });
    try {
      const id = (await t.intake('petition', petition())).body.id as string;
      expect((await t.view(id)).personal.petitioner.name).toBe('欧***');
      expect(readdirSync(t.dataDir)).not.toContain('master.key');
    } finally {
      await t.stop();
    }
  });
});

describe('the shred and person-keys commands', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  async function cli(t: TestApp, ...args: string[]): Promise<string[]> {
    process.env = { ...saved, ...t.stores.env, DATA_DIR: t.dataDir, SCHEDULER_INTERVAL_MS: '0', LOG_LEVEL: 'silent' };
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      const program = new Command().exitOverride();
      registerPersonalDataCommands(program);
      await program.parseAsync(['node', 'cli', ...args]);
    } finally {
      log.mockRestore();
    }
    return printed;
  }

  it('destroys a key on an admin’s authority, recorded on the case like the HTTP route, and lists keys without them', async () => {
    const t = await TestApp.start();
    try {
      const id = (await t.intake('petition', petition())).body.id as string;
      const personId = (await t.view(id)).personal.petitioner.personId as string;
      const length = (await t.history(id)).length;

      await expect(cli(t, 'shred', personId, '--reason', '申请删除', '--by', DESK.id)).rejects.toThrow(/must name an active admin/);
      expect(await cli(t, 'person-keys', '--case', id)).toEqual([expect.stringMatching(new RegExp(`^${personId}\\t${id}\\t\\S+\\tlive$`))]);

      const printed = await cli(t, 'shred', personId, '--reason', '当事人申请删除', '--by', ADMIN.id);
      expect(printed).toEqual([expect.stringContaining(`Destroyed the data key of person ${personId} (case ${id})`)]);
      const history = await t.history(id);
      expect(history).toHaveLength(length + 1);
      expect(history[length]).toMatchObject({
        type: 'PersonalDataDestroyed',
        actor: { id: ADMIN.id, role: 'admin' },
        reason: '当事人申请删除',
      });
      expect((await t.view(id)).personal.petitioner).toEqual({ personId, destroyed: true, name: '（已销毁）' });
      const [listed] = await cli(t, 'person-keys', '--case', id);
      expect(listed).toMatch(new RegExp(`^${personId}\\t${id}\\t\\S+\\t\\d{4}-\\d{2}-\\d{2}T`));
    } finally {
      await t.stop();
    }
  });
});
