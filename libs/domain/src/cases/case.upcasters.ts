import type { CaseEventType, Petitioner, PetitionRegistered } from './case.events';
import type { PetitionChannel } from './case.types';
import { PETITION_CHANNELS } from './case.types';

/**
 * The schema version each event type is written with today. Stored events keep the version they
 * were written with (in their metadata); reading upcasts them step by step to these versions.
 * Raise a number only together with an upcaster from the previous version.
 */
export const CURRENT_SCHEMA_VERSIONS: Record<CaseEventType, number> = {
  PetitionRegistered: 2,
  HotlineTicketReceived: 1,
  DisputeRegistered: 1,
  CaseAccepted: 1,
  CaseRejected: 1,
  CaseDispatched: 1,
  CaseSigned: 1,
  CaseReturned: 1,
  ProgressRecorded: 1,
  NoteAdded: 1,
  ExtensionRequested: 1,
  ExtensionDecided: 1,
  CaseResolved: 1,
  CaseReviewed: 1,
  CaseReopened: 1,
  CaseClosed: 1,
  SupervisionIssued: 1,
  SupervisionAnswered: 1,
  ReexaminationRequested: 1,
  ReexaminationDecided: 1,
  CaseLinked: 1,
  CaseUrged: 1,
  CaseWithdrawn: 1,
  HotlineTicketAmended: 1,
  DeadlineSet: 1,
  DeadlineWarningIssued: 1,
  DeadlineMissed: 1,
  PersonalDataRevealed: 1,
  PersonalDataDestroyed: 1,
};

export interface EventPayload {
  data: unknown;
  /** Null or undefined when the event carries no personal data. */
  personal: unknown;
}

/** Turns a payload of version N into version N + 1. */
type Upcaster = (payload: EventPayload) => EventPayload;

// ---- PetitionRegistered v1 → v2 ----

/**
 * v1, written by the first release: the petitioner sat flat in `data` (so it was never encrypted
 * nor shreddable) and `channel` held the Chinese label shown on the intake form.
 */
export interface PetitionRegisteredV1Data extends Omit<PetitionRegistered['data'], 'channel'> {
  channel: string;
  petitionerName: string;
  petitionerPhone?: string;
}

const V1_CHANNEL_LABELS: Record<string, PetitionChannel> = {
  来访: 'visit',
  来信: 'letter',
  来电: 'phone',
  网上: 'online',
};

function petitionChannelFromV1(label: string): PetitionChannel {
  const channel = V1_CHANNEL_LABELS[label] ?? PETITION_CHANNELS.find((known) => known === label);
  if (channel === undefined) {
    throw new Error(`PetitionRegistered v1 has an unknown channel '${label}'`);
  }
  return channel;
}

function upcastPetitionRegisteredV1(payload: EventPayload): EventPayload {
  const { petitionerName, petitionerPhone, channel, ...rest } = payload.data as PetitionRegisteredV1Data;
  const petitioner: Petitioner = {
    name: petitionerName,
    ...(petitionerPhone !== undefined && { phone: petitionerPhone }),
  };
  const data: PetitionRegistered['data'] = { ...rest, channel: petitionChannelFromV1(channel) };
  return { data, personal: { petitioner } };
}

/** For each event type, the upcaster from version N (the key) to N + 1. */
const UPCASTERS: Partial<Record<CaseEventType, Record<number, Upcaster>>> = {
  PetitionRegistered: { 1: upcastPetitionRegisteredV1 },
};

export function isCaseEventType(type: string): type is CaseEventType {
  return Object.prototype.hasOwnProperty.call(CURRENT_SCHEMA_VERSIONS, type);
}

/**
 * Brings a stored event's data and personal part up to today's shape. Events already current pass
 * through untouched. A version newer than this code knows (written by a later release) or an
 * unknown type is refused rather than misread.
 */
export function upcast(type: string, schemaVersion: number, data: unknown, personal: unknown): EventPayload {
  if (!isCaseEventType(type)) {
    throw new Error(`Cannot upcast '${type}': not a case event type`);
  }
  const current = CURRENT_SCHEMA_VERSIONS[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    throw new Error(`Cannot upcast ${type} from schema version ${schemaVersion}: this release reads 1 to ${current}`);
  }
  let payload: EventPayload = { data, personal };
  for (let version = schemaVersion; version < current; version++) {
    const step = UPCASTERS[type]?.[version];
    if (step === undefined) {
      throw new Error(`No upcaster for ${type} from schema version ${version} to ${version + 1}`);
    }
    payload = step(payload);
  }
  return payload;
}
