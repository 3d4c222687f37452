import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import {
  caseStreamId,
  currentPersonalPart,
  decodeCaseEvent,
  PEOPLE_STATING_EVENT_TYPES,
  DomainError,
  ServiceError,
  type Actor,
  type CaseEvent,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { PERSON_KEY_STORE, PersonalDataVault, type PersonKeyStore } from '@cases/personal-data';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { CaseCommandPipeline } from '../cases/commands/case-command.pipeline';
import type { CommandRequest } from '../cases/commands/command-request';
import { audienceOf, presentPersonal, REVEAL_ROLES, revealedFields } from './personal-data.presenter';

/** Namespace of the id of a person's PersonalDataDestroyed event: one per person, however often retried. */
const DESTROYED_EVENT_NAMESPACE = '3f1c8a2e-6d4b-4f7a-9e0c-5b2d7a1c9e43';

export class PersonalDataError extends ServiceError {}

/** Who asks for a case's personal data, and, for full values, why (recorded with the request's ids). */
export interface PersonalDataAccessRequest {
  actor: Actor;
  reveal?: { reason: string; request: CommandRequest };
}

export interface PersonalDataDestruction {
  personId: string;
  caseId: string;
  destroyedAt: string;
  /** The case's revision and log position after the PersonalDataDestroyed event (null for a key no case used). */
  revision: bigint | null;
  position: bigint | null;
}

/**
 * Every read of people's data and every destruction of it (SPEC §7): opening the seals, masking
 * or withholding for the audience, and recording on the case's stream each full reveal (before
 * anything is shown) and each destruction.
 */
@Injectable()
export class PersonalDataAccess {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly vault: PersonalDataVault,
    private readonly pipeline: CaseCommandPipeline,
  ) {}

  /**
   * The case's personal data as `access.actor` may see it (null when the case has none). A reveal
   * first appends PersonalDataRevealed; `revision` is then the case's revision after it.
   */
  async forView(caseId: string, access: PersonalDataAccessRequest): Promise<{ personal: unknown; revision?: bigint }> {
    if (access.reveal !== undefined && !REVEAL_ROLES.includes(access.actor.role)) {
      throw new PersonalDataError(
        'PERSONAL_DATA.FORBIDDEN',
        403,
        'Forbidden',
        `The ${access.actor.role} role may not see personal data in full; the view shows it masked`,
        { roles: REVEAL_ROLES },
      );
    }
    // The intake's people, or the caller a later ticket amendment put in their place. Only the
    // events that state people are decoded: an event this release cannot read elsewhere in the
    // stream (parked by the read models) must not take the view down with it.
    const stream = await this.store.readStream(caseStreamId(caseId));
    const personal = currentPersonalPart(
      stream.filter((event) => (PEOPLE_STATING_EVENT_TYPES as readonly string[]).includes(event.type)).map(decodeCaseEvent),
    );
    if (personal === undefined) return { personal: null };
    const opened = await this.vault.open(personal);
    if (access.reveal === undefined) return { personal: presentPersonal(opened, audienceOf(access.actor, false)) };
    const fields = revealedFields(opened);
    // Nothing readable (every person destroyed): nothing is shown in full, so there is no read to record.
    if (fields.length === 0) return { personal: presentPersonal(opened, 'masked') };
    const { reason, request } = access.reveal;
    const recorded = await this.pipeline.execute({
      caseId,
      command: 'reveal-personal-data',
      request,
      decide: (state, context): CaseEvent[] => {
        if (state.status === 'none') throw new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
        return [
          { type: 'PersonalDataRevealed', data: { fields, reason }, occurredAt: context.recordedAt.toISOString(), actor: context.actor },
        ];
      },
    });
    return { personal: presentPersonal(opened, 'revealed'), revision: recorded.revision };
  }

  /**
   * Destroys a person's data key (crypto-shredding), after recording PersonalDataDestroyed on the
   * person's case: a destruction is never without its record, and a retry after a failure between
   * the two appends nothing twice (the event's id is fixed per person).
   */
  async destroy(personId: string, reason: string, request: CommandRequest): Promise<PersonalDataDestruction> {
    const key = await this.keys.get(personId);
    if (key === null) {
      throw new PersonalDataError('PERSONAL_DATA.NOT_FOUND', 404, 'Person not found', `No person ${personId} is known to the key store`);
    }
    if (key.status === 'destroyed') {
      throw new PersonalDataError(
        'PERSONAL_DATA.ALREADY_DESTROYED',
        409,
        'Already destroyed',
        `The data of person ${personId} was destroyed at ${key.destroyedAt.toISOString()}`,
        { destroyedAt: key.destroyedAt.toISOString() },
      );
    }
    const { caseId } = key;
    // A key whose intake never reached the log (its append failed) belongs to no case: nothing to record.
    const exists = (await this.pipeline.load(caseId)).state.status !== 'none';
    const recorded = exists
      ? await this.pipeline.execute({
          caseId,
          command: 'destroy-personal-data',
          request,
          decide: (_state, context): CaseEvent[] => [
            {
              type: 'PersonalDataDestroyed',
              data: { personId, reason },
              occurredAt: context.recordedAt.toISOString(),
              actor: context.actor,
            },
          ],
          eventId: () => uuidv5(personId, DESTROYED_EVENT_NAMESPACE),
        })
      : null;
    const destroyedAt = this.clock.now();
    const outcome = await this.keys.destroy(personId, destroyedAt);
    if (outcome === 'unknown') throw new Error(`The key of person ${personId} vanished while being destroyed`);
    return {
      personId,
      caseId,
      destroyedAt: destroyedAt.toISOString(),
      revision: recorded?.revision ?? null,
      position: recorded?.position ?? null,
    };
  }
}
