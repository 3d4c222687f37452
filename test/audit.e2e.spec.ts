import { petitionBody } from './support/bodies';
import { DESK, SUPERVISOR, TestApp, expectProblem, expectStatus } from './support/test-app';
import { queryEventStore } from './support/test-stores';

/** Sets the note of a stream's CaseAccepted event in the stored text, in each store's own JSON functions. */
const REWRITE_ACCEPTANCE_NOTE = {
  sqlite: `UPDATE {events} SET data = json_set(data, '$.note', $2) WHERE stream_id = $1 AND type = 'CaseAccepted'`,
  postgres: `UPDATE {events} SET data = jsonb_set(data::jsonb, '{note}', to_jsonb($2::text))::json WHERE stream_id = $1 AND type = 'CaseAccepted'`,
};

/** A supervisor can prove the history was never altered (docs/decisions/0009-hash-chained-streams.md). */
describe('GET /api/audit/verify', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stays intact under concurrent intakes, whose case numbers share one sequence', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => t.intake('petition', petitionBody({ title: `并发登记 ${index}` }))),
    );
    expect(new Set(answers.map((answer) => answer.body.number)).size).toBe(20);

    const verified = await t.get('/api/audit/verify', SUPERVISOR);
    expectStatus(verified, 200);
    expect(verified.body).toMatchObject({ intact: true, problems: [] });
  });

  it('answers intact for an untouched log, and names the event altered directly in the database', async () => {
    const id = (await t.intake('petition', petitionBody())).body.id;
    await t.ok(id, 'accept', { note: '符合受理条件' });
    await t.ok(id, 'note', { text: '已电话联系信访人' });

    const intact = await t.get('/api/audit/verify', SUPERVISOR);
    expectStatus(intact, 200);
    expect(intact.body).toMatchObject({ intact: true, problems: [] });
    expect(intact.body.events).toBeGreaterThan(3);
    expectProblem(await t.get('/api/audit/verify', DESK), 403, 'AUTH.FORBIDDEN');

    // Someone with access to the database rewrites the acceptance note.
    const { changes } = await queryEventStore(t.stores, t.dataDir, REWRITE_ACCEPTANCE_NOTE[t.stores.kind], [`case-${id}`, '不予受理']);
    expect(changes).toBe(1);

    const tampered = await t.get('/api/audit/verify', SUPERVISOR);
    expectStatus(tampered, 200);
    expect(tampered.body.intact).toBe(false);
    expect(tampered.body.problems).toEqual([
      expect.stringMatching(new RegExp(`^stream case-${id} revision 2 \\(CaseAccepted, .*\\): its content does not match its hash$`)),
    ]);
  });
});
