import { ConfigValidationError } from '../calendar/config-validation';
import { DEFAULT_POLICY_CONFIG } from './default-policy-config';
import { parsePolicyConfig } from './parse-policy-config';

/** A mutable deep copy of the defaults, to break one entry at a time. */
function defaultsAsJson(): any {
  return JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG));
}

function issuesOf(json: unknown): Array<{ path: string; message: string }> {
  try {
    parsePolicyConfig(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return [...(error as ConfigValidationError).issues];
  }
  throw new Error('expected the configuration to be refused');
}

describe('DEFAULT_POLICY_CONFIG equals the SPEC §3 table', () => {
  const { petition, hotline, dispute } = DEFAULT_POLICY_CONFIG;

  it('settings: warning at 75%, calendar-day deadlines do not move off holidays', () => {
    expect(DEFAULT_POLICY_CONFIG.warningShare).toBe(0.75);
    expect(DEFAULT_POLICY_CONFIG.calendarDayDeadlineMovesToNextWorkingDay).toBe(false);
  });

  it('petition rows', () => {
    expect(petition.normal.acceptance).toEqual({ countedFrom: 'registration', limit: { amount: 15, unit: 'calendar-days' } });
    expect(petition.normal.reply).toEqual({
      countedFrom: 'acceptance',
      limit: { amount: 60, unit: 'calendar-days' },
      extension: { maxAmount: 30, maxCount: 1, unit: 'calendar-days' },
    });
    expect(petition.normal.reexamination).toEqual({
      countedFrom: 'reexamination request',
      limit: { amount: 30, unit: 'calendar-days' },
    });
    expect(petition.normal['reexamination-request']).toEqual({ countedFrom: 'reply', limit: { amount: 30, unit: 'calendar-days' } });
    expect(petition.normal.return).toEqual({ countedFrom: 'dispatch', limit: { amount: 5, unit: 'working-days' } });
    expect(petition.urgent).toBeUndefined();
  });

  it('hotline rows', () => {
    expect(hotline.normal.sign).toEqual({ countedFrom: 'dispatch', limit: { amount: 2, unit: 'working-hours' } });
    expect(hotline.urgent?.sign).toEqual({ limit: { amount: 0.5, unit: 'working-hours' } });
    expect(hotline.normal.return).toEqual({ countedFrom: 'dispatch', limit: { amount: 2, unit: 'working-days' } });
    expect(hotline.normal.resolve).toEqual({
      countedFrom: 'dispatch',
      limit: { amount: 5, unit: 'working-days' },
      extension: { maxAmount: 10, maxCount: 1, unit: 'working-days' },
      platformDeadlineOverrides: true,
    });
    expect(hotline.urgent?.resolve).toEqual({ limit: { unit: 'same-working-day' } });
    expect(hotline.normal.callback).toEqual({ countedFrom: 'resolution', limit: { amount: 2, unit: 'working-days' } });
  });

  it('dispute rows', () => {
    expect(dispute.normal.mediation).toEqual({ countedFrom: 'acceptance', limit: { amount: 30, unit: 'calendar-days' } });
    expect(dispute.normal['judicial-confirmation']).toEqual({
      countedFrom: 'mediation agreement',
      limit: { amount: 30, unit: 'calendar-days' },
    });
    expect(dispute.urgent).toBeUndefined();
  });

  it('has no rows beyond the table', () => {
    expect(Object.keys(petition.normal).sort()).toEqual(['acceptance', 'reexamination', 'reexamination-request', 'reply', 'return']);
    expect(Object.keys(hotline.normal).sort()).toEqual(['callback', 'resolve', 'return', 'sign']);
    expect(Object.keys(hotline.urgent ?? {}).sort()).toEqual(['resolve', 'sign']);
    expect(Object.keys(dispute.normal).sort()).toEqual(['judicial-confirmation', 'mediation']);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DEFAULT_POLICY_CONFIG.hotline.normal.sign?.limit)).toBe(true);
  });
});

describe('parsePolicyConfig', () => {
  it('accepts the defaults written as JSON, and fills the two optional settings', () => {
    const json = defaultsAsJson();
    expect(parsePolicyConfig(json)).toEqual(DEFAULT_POLICY_CONFIG);
    delete json.warningShare;
    delete json.calendarDayDeadlineMovesToNextWorkingDay;
    expect(parsePolicyConfig(json)).toEqual(DEFAULT_POLICY_CONFIG);
  });

  it('names the path of a bad limit', () => {
    const json = defaultsAsJson();
    json.hotline.urgent.sign.limit.amount = -0.5;
    expect(() => parsePolicyConfig(json)).toThrow('policy.hotline.urgent.sign.limit.amount: expected a positive number');
  });

  it('bounds every amount, so that no policy can make computing a deadline take long', () => {
    const json = defaultsAsJson();
    json.petition.normal.acceptance.limit = { amount: 367, unit: 'calendar-days' };
    json.petition.normal.return.limit = { amount: 1_000_000, unit: 'working-days' };
    json.hotline.normal.sign.limit = { amount: 2000.5, unit: 'working-hours' };
    json.petition.normal.reply.extension = { maxAmount: 367, maxCount: 11, unit: 'calendar-days' };
    json.hotline.normal.resolve.extension = { maxAmount: 251, maxCount: 10, unit: 'working-days' };
    expect(issuesOf(json)).toEqual([
      { path: 'policy.petition.normal.acceptance.limit.amount', message: 'expected at most 366 calendar-days' },
      { path: 'policy.petition.normal.reply.extension.maxAmount', message: 'expected at most 366 calendar-days' },
      { path: 'policy.petition.normal.reply.extension.maxCount', message: 'expected at most 10' },
      { path: 'policy.petition.normal.return.limit.amount', message: 'expected at most 250 working-days' },
      { path: 'policy.hotline.normal.sign.limit.amount', message: 'expected at most 2000 working-hours' },
      { path: 'policy.hotline.normal.resolve.extension.maxAmount', message: 'expected at most 250 working-days' },
    ]);
    json.petition.normal.acceptance.limit = { amount: 366, unit: 'calendar-days' };
    json.petition.normal.return.limit = { amount: 250, unit: 'working-days' };
    json.hotline.normal.sign.limit = { amount: 2000, unit: 'working-hours' };
    json.petition.normal.reply.extension = { maxAmount: 366, maxCount: 10, unit: 'calendar-days' };
    json.hotline.normal.resolve.extension = { maxAmount: 250, maxCount: 10, unit: 'working-days' };
    expect(parsePolicyConfig(json).petition.normal.acceptance?.limit).toEqual({ amount: 366, unit: 'calendar-days' });
  });

  it('reports every bad entry at once', () => {
    const json = defaultsAsJson();
    json.warningShare = 1.5;
    json.calendarDayDeadlineMovesToNextWorkingDay = 'yes';
    json.petition.normal.acceptance.limit.amount = 7.5;
    json.dispute.normal.mediation.limit.unit = 'months';
    json.hotline.normal.resolve.extension.maxCount = 0;
    json.hotline.normal.callback.countedFrom = '';
    expect(issuesOf(json)).toEqual([
      { path: 'policy.warningShare', message: 'expected a number between 0 and 1 (exclusive)' },
      { path: 'policy.calendarDayDeadlineMovesToNextWorkingDay', message: 'expected true or false' },
      { path: 'policy.petition.normal.acceptance.limit.amount', message: 'expected a whole number of calendar-days' },
      { path: 'policy.hotline.normal.resolve.extension.maxCount', message: 'expected a positive whole number' },
      { path: 'policy.hotline.normal.callback.countedFrom', message: 'expected a non-empty description of the starting event' },
      {
        path: 'policy.dispute.normal.mediation.limit.unit',
        message: 'expected one of calendar-days, working-days, working-hours, same-working-day',
      },
    ]);
  });

  it('refuses a missing milestone, a milestone of another kind and unknown keys', () => {
    const json = defaultsAsJson();
    delete json.petition.normal.reply;
    json.hotline.normal.acceptance = json.petition.normal.acceptance;
    json.dispute.normal.mediation.limitt = json.dispute.normal.mediation.limit;
    json.warningshare = 0.8;
    expect(issuesOf(json).map((issue) => issue.path)).toEqual([
      'policy.warningshare',
      'policy.petition.normal.reply',
      'policy.hotline.normal.acceptance',
      'policy.dispute.normal.mediation.limitt',
    ]);
  });

  it('refuses an urgent override without a normal rule, or with anything but a limit', () => {
    const json = defaultsAsJson();
    json.dispute.urgent = { sign: { limit: { amount: 1, unit: 'working-hours' } } };
    json.hotline.urgent.resolve.limit.amount = 1;
    json.hotline.urgent.sign.extension = { maxAmount: 1, maxCount: 1, unit: 'working-days' };
    expect(issuesOf(json)).toEqual([
      { path: 'policy.hotline.urgent.sign.extension', message: 'unknown key (expected one of limit)' },
      { path: 'policy.hotline.urgent.resolve.limit.amount', message: 'unknown key (expected one of unit)' },
      { path: 'policy.dispute.urgent.sign', message: 'no normal rule to override (expected one of mediation, judicial-confirmation)' },
    ]);
  });

  it('allows one extendable milestone per kind', () => {
    const json = defaultsAsJson();
    json.petition.normal.reexamination.extension = { maxAmount: 30, maxCount: 1, unit: 'calendar-days' };
    expect(() => parsePolicyConfig(json)).toThrow(
      'policy.petition.normal.reexamination.extension: only one milestone per kind may be extended (already reply)',
    );
  });

  it('refuses something that is not an object', () => {
    expect(() => parsePolicyConfig([])).toThrow('Invalid deadline policy: policy: expected an object');
    expect(issuesOf({ ...defaultsAsJson(), hotline: 'fast' })).toEqual([{ path: 'policy.hotline', message: 'expected an object' }]);
  });

  it('does not keep a reference to the input', () => {
    const json = defaultsAsJson();
    const parsed = parsePolicyConfig(json);
    json.hotline.normal.sign.limit.amount = 99;
    expect(parsed.hotline.normal.sign?.limit).toEqual({ amount: 2, unit: 'working-hours' });
  });
});
