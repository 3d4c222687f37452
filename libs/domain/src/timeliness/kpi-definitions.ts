import { ConfigIssueCollector, ConfigValidationError } from '../calendar/config-validation';
import {
  CASE_KINDS,
  DISPUTE_OUTCOMES,
  MILESTONES,
  SATISFACTIONS,
  type CaseKind,
  type DisputeOutcome,
  type Milestone,
  type Satisfaction,
} from '../cases/case.types';
import { DEADLINE_MILESTONES_BY_KIND } from '../deadlines/policy-config';

/** The SPEC §4 KPIs, in the order the SPEC's table lists them. */
export const KPI_KEYS = [
  'timelyAcceptance',
  'onTimeReply',
  'response',
  'onTimeResolution',
  'satisfaction',
  'solved',
  'firstTimeResolution',
  'disputeResolution',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

/**
 * Episodes of `kind`'s `milestone` whose final deadline falls in the period and that are decided at
 * the judging instant; on time when reached at or before the deadline (docs/timeliness-rules.md).
 */
export interface MilestoneKpiDefinition {
  readonly kind: CaseKind;
  readonly milestone: Milestone;
}

/**
 * Hotline call-backs recorded in the period; the numerator keeps those matching every criterion
 * given (at least one is): a satisfaction among `satisfaction`, `solved` equal to `solved`.
 */
export interface CallbackKpiDefinition {
  readonly numerator: { readonly satisfaction?: readonly Satisfaction[]; readonly solved?: boolean };
}

/**
 * First-time petitions (not a repeat) first closed in the period; the numerator drops those whose
 * re-examination was requested and/or that a petition repeats, as the switches say.
 */
export interface FirstTimeResolutionKpiDefinition {
  readonly numerator: { readonly withoutReexamination: boolean; readonly withoutRepeatPetition: boolean };
}

/** Disputes whose mediation outcome was recorded in the period; the numerator keeps the listed outcomes. */
export interface DisputeResolutionKpiDefinition {
  readonly numerator: { readonly outcomes: readonly DisputeOutcome[] };
}

/** Which shape each KPI has is fixed by its meaning; what it counts is configuration. */
export interface KpiDefinitions {
  readonly timelyAcceptance: MilestoneKpiDefinition;
  readonly onTimeReply: MilestoneKpiDefinition;
  readonly response: MilestoneKpiDefinition;
  readonly onTimeResolution: MilestoneKpiDefinition;
  readonly satisfaction: CallbackKpiDefinition;
  readonly solved: CallbackKpiDefinition;
  readonly firstTimeResolution: FirstTimeResolutionKpiDefinition;
  readonly disputeResolution: DisputeResolutionKpiDefinition;
}

export const MILESTONE_KPI_KEYS = ['timelyAcceptance', 'onTimeReply', 'response', 'onTimeResolution'] as const;
export const CALLBACK_KPI_KEYS = ['satisfaction', 'solved'] as const;

const SUBJECT = 'KPI definitions';
const ROOT = 'kpis';

/**
 * Validates an operator's KPI definitions (parsed JSON) and returns them frozen. All eight keys
 * are required and unknown keys are errors, so a misspelt key never silently keeps a default.
 * Throws a `ConfigValidationError` naming every bad entry by path, e.g.
 * `kpis.satisfaction.numerator.satisfaction[1]: expected one of satisfied, basically-satisfied, unsatisfied`.
 */
export function parseKpiDefinitions(json: unknown): KpiDefinitions {
  const issues = new ConfigIssueCollector();
  const root = issues.object(json, ROOT);
  if (!root) throw new ConfigValidationError(SUBJECT, issues.issues);
  issues.onlyKeys(root, KPI_KEYS, ROOT);
  const entry = (key: KpiKey): unknown => {
    if (root[key] === undefined) issues.add(`${ROOT}.${key}`, 'missing: every KPI needs a definition');
    return root[key];
  };
  const milestoneKpi = (key: (typeof MILESTONE_KPI_KEYS)[number]) => parseMilestoneKpi(entry(key), `${ROOT}.${key}`, issues);
  const callbackKpi = (key: (typeof CALLBACK_KPI_KEYS)[number]) => parseCallbackKpi(entry(key), `${ROOT}.${key}`, issues);
  const definitions: KpiDefinitions = {
    timelyAcceptance: milestoneKpi('timelyAcceptance'),
    onTimeReply: milestoneKpi('onTimeReply'),
    response: milestoneKpi('response'),
    onTimeResolution: milestoneKpi('onTimeResolution'),
    satisfaction: callbackKpi('satisfaction'),
    solved: callbackKpi('solved'),
    firstTimeResolution: parseFirstTimeResolutionKpi(entry('firstTimeResolution'), `${ROOT}.firstTimeResolution`, issues),
    disputeResolution: parseDisputeResolutionKpi(entry('disputeResolution'), `${ROOT}.disputeResolution`, issues),
  };
  issues.throwIfAny(SUBJECT);
  return Object.freeze(definitions);
}

/** SPEC §4's table. Passed through the parser so the defaults are always a configuration it accepts. */
export const DEFAULT_KPI_DEFINITIONS: KpiDefinitions = parseKpiDefinitions({
  timelyAcceptance: { kind: 'petition', milestone: 'acceptance' },
  onTimeReply: { kind: 'petition', milestone: 'reply' },
  response: { kind: 'hotline', milestone: 'sign' },
  onTimeResolution: { kind: 'hotline', milestone: 'resolve' },
  satisfaction: { numerator: { satisfaction: ['satisfied', 'basically-satisfied'] } },
  solved: { numerator: { solved: true } },
  firstTimeResolution: { numerator: { withoutReexamination: true, withoutRepeatPetition: true } },
  disputeResolution: { numerator: { outcomes: ['mediated'] } },
});

// Stand-ins returned for an entry that is missing or not an object, so one wrong entry reports one
// issue rather than one per field. They never leave the parser: an issue was recorded.
const INVALID_MILESTONE_KPI: MilestoneKpiDefinition = { kind: 'petition', milestone: 'acceptance' };
const INVALID_CALLBACK_KPI: CallbackKpiDefinition = { numerator: {} };
const INVALID_FIRST_TIME_KPI: FirstTimeResolutionKpiDefinition = {
  numerator: { withoutReexamination: false, withoutRepeatPetition: false },
};
const INVALID_DISPUTE_KPI: DisputeResolutionKpiDefinition = { numerator: { outcomes: [] } };

function parseMilestoneKpi(value: unknown, path: string, issues: ConfigIssueCollector): MilestoneKpiDefinition {
  if (value === undefined) return INVALID_MILESTONE_KPI;
  const fields = issues.object(value, path);
  if (!fields) return INVALID_MILESTONE_KPI;
  issues.onlyKeys(fields, ['kind', 'milestone'], path);
  if (!isOneOf(fields.kind, CASE_KINDS)) {
    issues.add(`${path}.kind`, `expected one of ${CASE_KINDS.join(', ')}`);
    if (!isOneOf(fields.milestone, MILESTONES)) issues.add(`${path}.milestone`, `expected one of ${MILESTONES.join(', ')}`);
    return INVALID_MILESTONE_KPI;
  }
  // A milestone the kind never has would make the KPI null for ever: refuse it instead.
  const kindMilestones = DEADLINE_MILESTONES_BY_KIND[fields.kind];
  if (!isOneOf(fields.milestone, kindMilestones)) {
    issues.add(`${path}.milestone`, `expected one of ${kindMilestones.join(', ')} (the ${fields.kind} milestones)`);
    return INVALID_MILESTONE_KPI;
  }
  return Object.freeze({ kind: fields.kind, milestone: fields.milestone });
}

function parseCallbackKpi(value: unknown, path: string, issues: ConfigIssueCollector): CallbackKpiDefinition {
  const numerator = numeratorOf(value, path, issues);
  if (!numerator) return INVALID_CALLBACK_KPI;
  const numeratorPath = `${path}.numerator`;
  issues.onlyKeys(numerator, ['satisfaction', 'solved'], numeratorPath);
  if (numerator.satisfaction === undefined && numerator.solved === undefined) {
    // Without a criterion every call-back would count and the rate would always be 100%.
    issues.add(numeratorPath, 'expected satisfaction, solved or both');
    return INVALID_CALLBACK_KPI;
  }
  const criteria: { satisfaction?: readonly Satisfaction[]; solved?: boolean } = {};
  if (numerator.satisfaction !== undefined) {
    criteria.satisfaction = parseValueList(numerator.satisfaction, SATISFACTIONS, `${numeratorPath}.satisfaction`, issues);
  }
  if (numerator.solved !== undefined) {
    if (typeof numerator.solved === 'boolean') criteria.solved = numerator.solved;
    else issues.add(`${numeratorPath}.solved`, 'expected true or false');
  }
  return Object.freeze({ numerator: Object.freeze(criteria) });
}

function parseFirstTimeResolutionKpi(value: unknown, path: string, issues: ConfigIssueCollector): FirstTimeResolutionKpiDefinition {
  const numerator = numeratorOf(value, path, issues);
  if (!numerator) return INVALID_FIRST_TIME_KPI;
  const numeratorPath = `${path}.numerator`;
  const switches = ['withoutReexamination', 'withoutRepeatPetition'] as const;
  issues.onlyKeys(numerator, switches, numeratorPath);
  for (const name of switches) {
    if (typeof numerator[name] !== 'boolean') issues.add(`${numeratorPath}.${name}`, 'expected true or false');
  }
  return Object.freeze({
    numerator: Object.freeze({
      withoutReexamination: numerator.withoutReexamination === true,
      withoutRepeatPetition: numerator.withoutRepeatPetition === true,
    }),
  });
}

function parseDisputeResolutionKpi(value: unknown, path: string, issues: ConfigIssueCollector): DisputeResolutionKpiDefinition {
  const numerator = numeratorOf(value, path, issues);
  if (!numerator) return INVALID_DISPUTE_KPI;
  const numeratorPath = `${path}.numerator`;
  issues.onlyKeys(numerator, ['outcomes'], numeratorPath);
  const outcomes = parseValueList(numerator.outcomes, DISPUTE_OUTCOMES, `${numeratorPath}.outcomes`, issues);
  return Object.freeze({ numerator: Object.freeze({ outcomes }) });
}

/** The `numerator` object of a KPI entry that has nothing but a numerator. */
function numeratorOf(value: unknown, path: string, issues: ConfigIssueCollector): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const fields = issues.object(value, path);
  if (!fields) return undefined;
  issues.onlyKeys(fields, ['numerator'], path);
  return issues.object(fields.numerator, `${path}.numerator`);
}

/** A non-empty list of distinct allowed values: an empty list would make the numerator always 0. */
function parseValueList<T extends string>(value: unknown, allowed: readonly T[], path: string, issues: ConfigIssueCollector): readonly T[] {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(path, `expected a non-empty list of ${allowed.join(', ')}`);
    return [];
  }
  const values: T[] = [];
  value.forEach((item: unknown, index) => {
    if (!isOneOf(item, allowed)) issues.add(`${path}[${index}]`, `expected one of ${allowed.join(', ')}`);
    else if (values.includes(item)) issues.add(`${path}[${index}]`, `duplicate value ${item}`);
    else values.push(item);
  });
  return Object.freeze(values);
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}
