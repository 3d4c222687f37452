export const CASE_KINDS = ['petition', 'hotline', 'dispute'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const CASE_STATUSES = [
  'registered',
  'accepted',
  'rejected',
  'dispatched',
  'in_progress',
  'resolved',
  'reexamination',
  'closed',
  'withdrawn',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Nothing moves a case on from these; `withdrawn`: the 12345 platform took the ticket back (撤单). */
export const TERMINAL_STATUSES: readonly CaseStatus[] = ['rejected', 'closed', 'withdrawn'];

export const MILESTONES = ['acceptance', 'reply', 'sign', 'resolve', 'callback', 'mediation', 'reexamination'] as const;
export type Milestone = (typeof MILESTONES)[number];
/**
 * The milestone a kind's resolution reaches and a reopen restarts. Petitions and disputes start
 * its clock at acceptance; hotline tickets arrive accepted, so theirs starts at dispatch.
 */
export const RESOLVING_MILESTONE: Record<CaseKind, Milestone> = { petition: 'reply', hotline: 'resolve', dispute: 'mediation' };

export const PETITION_CHANNELS = ['visit', 'letter', 'phone', 'online', 'transferred'] as const;
export type PetitionChannel = (typeof PETITION_CHANNELS)[number];
export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const DISPUTE_SOURCES = ['screening', 'grid', 'walk-in', 'referral'] as const;
export type DisputeSource = (typeof DISPUTE_SOURCES)[number];

export const PETITION_OUTCOMES = ['supported', 'partially-supported', 'explained', 'not-supported'] as const;
export type PetitionOutcome = (typeof PETITION_OUTCOMES)[number];
export const DISPUTE_OUTCOMES = ['mediated', 'failed'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];
export const MEDIATION_TYPES = ['people', 'administrative', 'judicial', 'joint'] as const;
export type MediationType = (typeof MEDIATION_TYPES)[number];
export const SATISFACTIONS = ['satisfied', 'basically-satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];
export const REEXAMINATION_DECISIONS = ['upheld', 'changed', 'revoked', 'remanded'] as const;
export type ReexaminationDecision = (typeof REEXAMINATION_DECISIONS)[number];
export const LINK_RELATIONS = ['repeat-of', 'duplicate-of', 'related'] as const;
export type LinkRelation = (typeof LINK_RELATIONS)[number];

/** Human-readable number prefixes: 信访 XF, 12345 工单 RX, 纠纷 JF. */
export const NUMBER_PREFIX: Record<CaseKind, string> = { petition: 'XF', hotline: 'RX', dispute: 'JF' };

export function formatCaseNumber(kind: CaseKind, year: number, sequence: number): string {
  return `${NUMBER_PREFIX[kind]}${year}-${String(sequence).padStart(4, '0')}`;
}
