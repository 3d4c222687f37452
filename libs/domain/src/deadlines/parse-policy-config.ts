import { CASE_KINDS, type CaseKind } from '../cases/case.types';
import { ConfigIssueCollector, ConfigValidationError } from '../calendar/config-validation';
import type { DeadlineWindow } from './deadline-policy';
import {
  DEADLINE_LIMIT_UNITS,
  DEADLINE_MILESTONES_BY_KIND,
  DEFAULT_WARNING_SHARE,
  EXTENSION_UNITS,
  type DeadlineLimit,
  type ExtensionRule,
  type KindPolicyConfig,
  type MilestoneRule,
  type NormalUrgencyRules,
  type PolicyConfig,
  type UrgentOverrides,
  type WindowRule,
} from './policy-config';

/**
 * The largest amount each unit may count. The statutes' longest limits are 60 days; a year (or a
 * year's working days and office hours) bounds any plausible policy, and with it the work of
 * computing a deadline: a what-if policy comes from a request, and a limit of a million working
 * days would have the server walk the calendar for seconds per case.
 */
export const MAX_LIMIT_AMOUNT = { 'calendar-days': 366, 'working-days': 250, 'working-hours': 2_000 } as const;
/** How many extensions one milestone may allow at most. */
export const MAX_EXTENSION_COUNT = 10;

const SUBJECT = 'deadline policy';
const ROOT = 'policy';
const DEADLINE_WINDOWS: readonly DeadlineWindow[] = ['return', 'reexamination-request', 'judicial-confirmation'];
const SETTINGS = ['warningShare', 'calendarDayDeadlineMovesToNextWorkingDay'] as const;

// Stand-ins returned for an entry that is not even an object, so that one wrong entry reports
// one issue instead of one per field it lacks. They never leave the parser: an issue was recorded.
const INVALID_RULE: MilestoneRule = { countedFrom: '', limit: { unit: 'same-working-day' } };
const INVALID_KIND: KindPolicyConfig = { normal: {} };
const INVALID_EXTENSION: ExtensionRule = { maxAmount: 0, maxCount: 0, unit: 'working-days' };

/**
 * Validates an operator's deadline policy (parsed JSON) and returns it frozen. Throws a
 * `ConfigValidationError` naming every bad entry by path, e.g.
 * `policy.hotline.urgent.sign.limit.amount: expected a positive number`. Unknown keys are errors;
 * only `warningShare` (0.75) and `calendarDayDeadlineMovesToNextWorkingDay` (false) may be left
 * out. Every kind must give a rule for each of its milestones (DEADLINE_MILESTONES_BY_KIND).
 */
export function parsePolicyConfig(json: unknown): PolicyConfig {
  const issues = new ConfigIssueCollector();
  const root = issues.object(json, ROOT);
  if (!root) throw new ConfigValidationError(SUBJECT, issues.issues);
  issues.onlyKeys(root, [...SETTINGS, ...CASE_KINDS], ROOT);

  const warningShare = root.warningShare === undefined ? DEFAULT_WARNING_SHARE : root.warningShare;
  if (typeof warningShare !== 'number' || !(warningShare > 0 && warningShare < 1)) {
    issues.add(`${ROOT}.warningShare`, 'expected a number between 0 and 1 (exclusive)');
  }
  const movesToNextWorkingDay =
    root.calendarDayDeadlineMovesToNextWorkingDay === undefined ? false : root.calendarDayDeadlineMovesToNextWorkingDay;
  if (typeof movesToNextWorkingDay !== 'boolean') {
    issues.add(`${ROOT}.calendarDayDeadlineMovesToNextWorkingDay`, 'expected true or false');
  }
  const kinds = Object.fromEntries(CASE_KINDS.map((kind) => [kind, parseKind(kind, root[kind], `${ROOT}.${kind}`, issues)])) as Record<
    CaseKind,
    KindPolicyConfig
  >;

  issues.throwIfAny(SUBJECT);
  return Object.freeze({
    ...kinds,
    warningShare: warningShare as number,
    calendarDayDeadlineMovesToNextWorkingDay: movesToNextWorkingDay as boolean,
  });
}

function parseKind(kind: CaseKind, value: unknown, path: string, issues: ConfigIssueCollector): KindPolicyConfig {
  const section = issues.object(value, path);
  if (!section) return INVALID_KIND;
  issues.onlyKeys(section, ['normal', 'urgent'], path);
  const normal = parseNormalRules(kind, section.normal, `${path}.normal`, issues);
  if (section.urgent === undefined) return Object.freeze({ normal });
  const urgent = parseUrgentOverrides(normal, section.urgent, `${path}.urgent`, issues);
  return Object.freeze({ normal, urgent });
}

function parseNormalRules(kind: CaseKind, value: unknown, path: string, issues: ConfigIssueCollector): NormalUrgencyRules {
  const section = issues.object(value, path);
  if (!section) return INVALID_KIND.normal;
  const milestones = DEADLINE_MILESTONES_BY_KIND[kind];
  issues.onlyKeys(section, [...milestones, ...DEADLINE_WINDOWS], path);
  const rules: Record<string, MilestoneRule | WindowRule> = {};
  let extendedMilestone: string | undefined;
  for (const milestone of milestones) {
    const rulePath = `${path}.${milestone}`;
    if (section[milestone] === undefined) {
      issues.add(rulePath, `missing: every ${kind} case has this milestone`);
      continue;
    }
    const rule = parseMilestoneRule(section[milestone], rulePath, issues);
    // The policy interface names one extendable milestone per kind.
    if (rule.extension && extendedMilestone) {
      issues.add(`${rulePath}.extension`, `only one milestone per kind may be extended (already ${extendedMilestone})`);
    }
    if (rule.extension) extendedMilestone ??= milestone;
    rules[milestone] = rule;
  }
  for (const window of DEADLINE_WINDOWS) {
    if (section[window] !== undefined) rules[window] = parseWindowRule(section[window], `${path}.${window}`, issues);
  }
  return Object.freeze(rules) as NormalUrgencyRules;
}

function parseUrgentOverrides(normal: NormalUrgencyRules, value: unknown, path: string, issues: ConfigIssueCollector): UrgentOverrides {
  const section = issues.object(value, path);
  if (!section) return {};
  const overrides: Record<string, { limit: DeadlineLimit }> = {};
  for (const [name, entry] of Object.entries(section)) {
    const entryPath = `${path}.${name}`;
    if (!(name in normal)) {
      issues.add(entryPath, `no normal rule to override (expected one of ${Object.keys(normal).join(', ')})`);
      continue;
    }
    const fields = issues.object(entry, entryPath);
    if (!fields) continue;
    issues.onlyKeys(fields, ['limit'], entryPath);
    overrides[name] = Object.freeze({ limit: parseLimit(fields.limit, `${entryPath}.limit`, issues) });
  }
  return Object.freeze(overrides) as UrgentOverrides;
}

function parseMilestoneRule(value: unknown, path: string, issues: ConfigIssueCollector): MilestoneRule {
  const fields = issues.object(value, path);
  if (!fields) return INVALID_RULE;
  issues.onlyKeys(fields, ['countedFrom', 'limit', 'extension', 'platformDeadlineOverrides'], path);
  const rule: { -readonly [Key in keyof MilestoneRule]: MilestoneRule[Key] } = {
    countedFrom: parseCountedFrom(fields.countedFrom, `${path}.countedFrom`, issues),
    limit: parseLimit(fields.limit, `${path}.limit`, issues),
  };
  if (fields.extension !== undefined) rule.extension = parseExtension(fields.extension, `${path}.extension`, issues);
  if (fields.platformDeadlineOverrides !== undefined) {
    if (typeof fields.platformDeadlineOverrides === 'boolean') rule.platformDeadlineOverrides = fields.platformDeadlineOverrides;
    else issues.add(`${path}.platformDeadlineOverrides`, 'expected true or false');
  }
  return Object.freeze(rule);
}

function parseWindowRule(value: unknown, path: string, issues: ConfigIssueCollector): WindowRule {
  const fields = issues.object(value, path);
  if (!fields) return INVALID_RULE;
  issues.onlyKeys(fields, ['countedFrom', 'limit'], path);
  return Object.freeze({
    countedFrom: parseCountedFrom(fields.countedFrom, `${path}.countedFrom`, issues),
    limit: parseLimit(fields.limit, `${path}.limit`, issues),
  });
}

function parseCountedFrom(value: unknown, path: string, issues: ConfigIssueCollector): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  issues.add(path, 'expected a non-empty description of the starting event');
  return '';
}

function parseLimit(value: unknown, path: string, issues: ConfigIssueCollector): DeadlineLimit {
  const fields = issues.object(value, path);
  if (!fields) return INVALID_RULE.limit;
  const unit = fields.unit;
  if (unit === 'same-working-day') {
    issues.onlyKeys(fields, ['unit'], path);
    return Object.freeze({ unit });
  }
  issues.onlyKeys(fields, ['amount', 'unit'], path);
  if (!isOneOf(unit, DEADLINE_LIMIT_UNITS)) {
    issues.add(`${path}.unit`, `expected one of ${DEADLINE_LIMIT_UNITS.join(', ')}`);
    return INVALID_RULE.limit;
  }
  const amount = fields.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    issues.add(`${path}.amount`, 'expected a positive number');
  } else if (unit !== 'working-hours' && !Number.isInteger(amount)) {
    issues.add(`${path}.amount`, `expected a whole number of ${unit}`);
  } else if (unit !== 'same-working-day' && amount > MAX_LIMIT_AMOUNT[unit]) {
    issues.add(`${path}.amount`, `expected at most ${MAX_LIMIT_AMOUNT[unit]} ${unit}`);
  }
  return Object.freeze({ amount: amount as number, unit });
}

function parseExtension(value: unknown, path: string, issues: ConfigIssueCollector): ExtensionRule {
  const fields = issues.object(value, path);
  if (!fields) return INVALID_EXTENSION;
  issues.onlyKeys(fields, ['maxAmount', 'maxCount', 'unit'], path);
  const unit = isOneOf(fields.unit, EXTENSION_UNITS) ? fields.unit : undefined;
  const maxima = { maxAmount: unit ? MAX_LIMIT_AMOUNT[unit] : Infinity, maxCount: MAX_EXTENSION_COUNT };
  for (const key of ['maxAmount', 'maxCount'] as const) {
    const number = fields[key];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
      issues.add(`${path}.${key}`, 'expected a positive whole number');
    } else if (number > maxima[key]) {
      issues.add(`${path}.${key}`, `expected at most ${maxima[key]}${key === 'maxAmount' ? ` ${unit}` : ''}`);
    }
  }
  if (!unit) issues.add(`${path}.unit`, `expected one of ${EXTENSION_UNITS.join(', ')}`);
  return Object.freeze({
    maxAmount: fields.maxAmount as number,
    maxCount: fields.maxCount as number,
    unit: fields.unit as ExtensionRule['unit'],
  });
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}
