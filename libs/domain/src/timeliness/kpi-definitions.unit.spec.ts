import { ConfigValidationError } from '../calendar/config-validation';
import { DEFAULT_KPI_DEFINITIONS, KPI_KEYS, parseKpiDefinitions } from './kpi-definitions';

/** A mutable deep copy of the defaults, to break one entry at a time. */
function defaultsAsJson(): any {
  return JSON.parse(JSON.stringify(DEFAULT_KPI_DEFINITIONS));
}

function issuesOf(json: unknown): Array<{ path: string; message: string }> {
  try {
    parseKpiDefinitions(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return [...(error as ConfigValidationError).issues];
  }
  throw new Error('expected the KPI definitions to be refused');
}

describe('DEFAULT_KPI_DEFINITIONS equals the SPEC §4 table', () => {
  it('milestone KPIs: petition acceptance and reply, hotline sign and resolve', () => {
    expect(DEFAULT_KPI_DEFINITIONS.timelyAcceptance).toEqual({ kind: 'petition', milestone: 'acceptance' });
    expect(DEFAULT_KPI_DEFINITIONS.onTimeReply).toEqual({ kind: 'petition', milestone: 'reply' });
    expect(DEFAULT_KPI_DEFINITIONS.response).toEqual({ kind: 'hotline', milestone: 'sign' });
    expect(DEFAULT_KPI_DEFINITIONS.onTimeResolution).toEqual({ kind: 'hotline', milestone: 'resolve' });
  });

  it('call-back KPIs: 满意 or 基本满意; 已解决', () => {
    expect(DEFAULT_KPI_DEFINITIONS.satisfaction).toEqual({
      numerator: { satisfaction: ['satisfied', 'basically-satisfied'] },
    });
    expect(DEFAULT_KPI_DEFINITIONS.solved).toEqual({ numerator: { solved: true } });
  });

  it('one-off resolution drops re-examined and repeated petitions; dispute resolution counts mediated', () => {
    expect(DEFAULT_KPI_DEFINITIONS.firstTimeResolution).toEqual({
      numerator: { withoutReexamination: true, withoutRepeatPetition: true },
    });
    expect(DEFAULT_KPI_DEFINITIONS.disputeResolution).toEqual({ numerator: { outcomes: ['mediated'] } });
  });

  it('has exactly the eight SPEC keys and is frozen', () => {
    expect(Object.keys(DEFAULT_KPI_DEFINITIONS)).toEqual([...KPI_KEYS]);
    expect(Object.isFrozen(DEFAULT_KPI_DEFINITIONS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_KPI_DEFINITIONS.satisfaction.numerator.satisfaction)).toBe(true);
  });
});

describe('parseKpiDefinitions', () => {
  it('accepts the defaults written as JSON', () => {
    expect(parseKpiDefinitions(defaultsAsJson())).toEqual(DEFAULT_KPI_DEFINITIONS);
  });

  it('accepts a local scheme: only 满意 counts, and only solved-and-satisfied call-backs for 解决率', () => {
    const json = defaultsAsJson();
    json.satisfaction.numerator.satisfaction = ['satisfied'];
    json.solved.numerator = { satisfaction: ['satisfied', 'basically-satisfied'], solved: true };
    json.firstTimeResolution.numerator.withoutReexamination = false;
    const definitions = parseKpiDefinitions(json);
    expect(definitions.satisfaction).toEqual({ numerator: { satisfaction: ['satisfied'] } });
    expect(definitions.solved).toEqual({
      numerator: { satisfaction: ['satisfied', 'basically-satisfied'], solved: true },
    });
    expect(definitions.firstTimeResolution).toEqual({
      numerator: { withoutReexamination: false, withoutRepeatPetition: true },
    });
  });

  it('names the bad list element by its path', () => {
    const json = defaultsAsJson();
    json.satisfaction.numerator.satisfaction = ['satisfied', '满意'];
    expect(issuesOf(json)).toEqual([
      {
        path: 'kpis.satisfaction.numerator.satisfaction[1]',
        message: 'expected one of satisfied, basically-satisfied, unsatisfied',
      },
    ]);
  });

  it('the error message lists every issue with its path', () => {
    const json = defaultsAsJson();
    json.satisfaction.numerator.satisfaction = ['satisfied', '满意'];
    expect(() => parseKpiDefinitions(json)).toThrow(
      'Invalid KPI definitions: kpis.satisfaction.numerator.satisfaction[1]: expected one of satisfied, basically-satisfied, unsatisfied',
    );
  });

  it('refuses a milestone the kind does not have, a kind that does not exist and a milestone that does not exist', () => {
    const json = defaultsAsJson();
    json.response = { kind: 'hotline', milestone: 'acceptance' };
    json.onTimeReply = { kind: 'letter', milestone: 'answer' };
    expect(issuesOf(json)).toEqual([
      { path: 'kpis.onTimeReply.kind', message: 'expected one of petition, hotline, dispute' },
      {
        path: 'kpis.onTimeReply.milestone',
        message: 'expected one of acceptance, reply, sign, resolve, callback, mediation, reexamination',
      },
      { path: 'kpis.response.milestone', message: 'expected one of sign, resolve, callback (the hotline milestones)' },
    ]);
  });

  it('collects missing and unknown keys in one pass', () => {
    const json = defaultsAsJson();
    delete json.solved;
    json.complaintRate = { numerator: {} };
    json.disputeResolution.denominator = {};
    expect(issuesOf(json)).toEqual([
      { path: 'kpis.complaintRate', message: `unknown key (expected one of ${KPI_KEYS.join(', ')})` },
      { path: 'kpis.solved', message: 'missing: every KPI needs a definition' },
      { path: 'kpis.disputeResolution.denominator', message: 'unknown key (expected one of numerator)' },
    ]);
  });

  it('refuses numerators that would make a rate constant: no criterion, an empty list, a duplicate', () => {
    const json = defaultsAsJson();
    json.satisfaction.numerator = {};
    json.disputeResolution.numerator.outcomes = [];
    json.solved.numerator = { satisfaction: ['unsatisfied', 'unsatisfied'], solved: 'yes' };
    expect(issuesOf(json)).toEqual([
      { path: 'kpis.satisfaction.numerator', message: 'expected satisfaction, solved or both' },
      { path: 'kpis.solved.numerator.satisfaction[1]', message: 'duplicate value unsatisfied' },
      { path: 'kpis.solved.numerator.solved', message: 'expected true or false' },
      { path: 'kpis.disputeResolution.numerator.outcomes', message: 'expected a non-empty list of mediated, failed' },
    ]);
  });

  it('requires both one-off switches as booleans', () => {
    const json = defaultsAsJson();
    json.firstTimeResolution.numerator = { withoutReexamination: 1 };
    expect(issuesOf(json)).toEqual([
      { path: 'kpis.firstTimeResolution.numerator.withoutReexamination', message: 'expected true or false' },
      { path: 'kpis.firstTimeResolution.numerator.withoutRepeatPetition', message: 'expected true or false' },
    ]);
  });

  it('refuses something that is not an object, at the root or in an entry', () => {
    expect(issuesOf([])).toEqual([{ path: 'kpis', message: 'expected an object' }]);
    const json = defaultsAsJson();
    json.timelyAcceptance = 'petition acceptance';
    json.disputeResolution = { numerator: ['mediated'] };
    expect(issuesOf(json)).toEqual([
      { path: 'kpis.timelyAcceptance', message: 'expected an object' },
      { path: 'kpis.disputeResolution.numerator', message: 'expected an object' },
    ]);
  });
});
