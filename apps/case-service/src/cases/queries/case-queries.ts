import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  DomainError,
  caseStreamId,
  decodeCaseEvent,
  foldCase,
  unitMaySee,
  type Actor,
  type CaseKind,
  type CaseStatus,
  type Milestone,
  type OpenedCase,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ReadModels, type CaseListQuery, type Freshness } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import type { ListCasesQueryDto } from '../http/dto';
import { PersonalDataAccess, type PersonalDataAccessRequest } from '../../personal-data/personal-data-access.service';
import { presentCase } from './case-view.presenter';

/*
 * Read-your-writes: each query reads through its read model's query function, which first waits
 * until that read model has applied the log up to `freshness.minPosition` (a position a command
 * answered with) or, by default, everything the log held when the query arrived, so a client
 * that just got a 2xx for a command sees its effect.
 */

export class ListCasesQuery extends Query<unknown> {
  constructor(
    readonly filter: Omit<ListCasesQueryDto, 'minPosition'>,
    /** Who lists: a unit user sees only the cases its unit holds now or held before. */
    readonly viewer: Actor,
    readonly freshness: Freshness = {},
  ) {
    super();
  }
}

export class GetCaseQuery extends Query<{ view: unknown; revision: bigint }> {
  /**
   * `access`: who asks, which decides how personal data shows (masked, in full on the record, or
   * withheld). `asOf`: the view as the service knew it at that instant (events recorded at or before it).
   */
  constructor(
    readonly caseId: string,
    readonly access: PersonalDataAccessRequest,
    readonly asOf?: Date,
    readonly freshness: Freshness = {},
  ) {
    super();
  }
}

export class GetCaseHistoryQuery extends Query<unknown> {
  constructor(
    readonly caseId: string,
    /** Who reads: a unit user reads only the cases dispatched to its unit, now or before. */
    readonly viewer: Actor,
    readonly freshness: Freshness = {},
  ) {
    super();
  }
}

abstract class ReadModelQueryHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly readModels: ReadModels,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
    @Inject(CLOCK) protected readonly clock: Clock,
  ) {}
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler extends ReadModelQueryHandler implements IQueryHandler<ListCasesQuery> {
  async execute({ filter, viewer, freshness }: ListCasesQuery) {
    // A unit lists the cases it holds now and those it held before (docs/security.md); `unit` then
    // narrows them to those another unit holds now, as for everyone.
    const seenByUnit = viewer.role === 'unit' ? (viewer.unit ?? '') : undefined;
    const unit = filter.unit;
    const query: CaseListQuery = {
      ...(seenByUnit !== undefined ? { seenByUnit } : {}),
      orgId: this.config.org.id,
      ...(filter.kind ? { kind: filter.kind as CaseKind } : {}),
      ...(filter.status ? { status: filter.status as CaseStatus } : {}),
      ...(unit ? { unit } : {}),
      ...(filter.community ? { community: filter.community } : {}),
      ...(filter.overdue !== undefined ? { overdue: filter.overdue } : {}),
      ...(filter.milestone ? { milestone: filter.milestone as Milestone } : {}),
      ...(filter.dueWithinHours ? { dueWithinHours: filter.dueWithinHours } : {}),
      ...(filter.from ? { registeredFrom: new Date(filter.from) } : {}),
      ...(filter.to ? { registeredTo: new Date(filter.to) } : {}),
      ...(filter.text ? { text: filter.text } : {}),
      ...(filter.page ? { page: filter.page } : {}),
      ...(filter.pageSize ? { pageSize: filter.pageSize } : {}),
    };
    return this.readModels.cases.list(query, this.clock.now(), freshness);
  }
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler extends ReadModelQueryHandler implements IQueryHandler<GetCaseQuery> {
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    readModels: ReadModels,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) clock: Clock,
    private readonly personalData: PersonalDataAccess,
  ) {
    super(store, readModels, config, clock);
  }

  async execute({ caseId, access, asOf, freshness }: GetCaseQuery) {
    if (asOf) return this.asOf(caseId, asOf, access);
    const found = await this.readModels.cases.view(caseId, freshness);
    if (!found || !visibleTo(found.state, access.actor)) throw noSuchCase(caseId);
    // Personal data is read from the store (read models hold none) and opened per person; a reveal
    // appends its access event first, so the view then stands at the revision after it.
    const { personal, revision = found.revision } = await this.personalData.forView(caseId, access);
    // needsAttention: a read model parked an event of the case (docs/architecture.md, "Parked events").
    return { view: { ...presentCase(found.state, revision, this.clock.now(), personal), needsAttention: found.needsAttention }, revision };
  }

  /** A temporal query, folded straight from the stream: what the service knew at `asOf`. */
  private async asOf(caseId: string, asOf: Date, access: PersonalDataAccessRequest) {
    const recorded = (await this.store.readStream(caseStreamId(caseId))).filter(
      (event) => Date.parse(String(event.metadata.recordedAt)) <= asOf.getTime(),
    );
    const notThen = () => new DomainError('CASE.NOT_FOUND', `Case ${caseId} did not exist at ${asOf.toISOString()}`);
    if (recorded.length === 0) throw notThen();
    const state = foldCase(recorded.map(decodeCaseEvent)) as OpenedCase;
    // The same words as for a case that did not exist then: a unit cannot tell the two apart.
    if (!visibleTo(state, access.actor)) throw notThen();
    const revision = recorded[recorded.length - 1].revision;
    const { personal } = await this.personalData.forView(caseId, access);
    return { view: presentCase(state, revision, asOf, personal), revision };
  }
}

@QueryHandler(GetCaseHistoryQuery)
export class GetCaseHistoryHandler extends ReadModelQueryHandler implements IQueryHandler<GetCaseHistoryQuery> {
  async execute({ caseId, viewer, freshness }: GetCaseHistoryQuery) {
    if (viewer.role === 'unit') {
      const found = await this.readModels.cases.view(caseId, freshness);
      if (!found || !visibleTo(found.state, viewer)) throw noSuchCase(caseId);
    }
    const entries = await this.readModels.history.history(caseId, freshness);
    if (entries.length === 0) throw noSuchCase(caseId);
    return { id: caseId, events: entries };
  }
}

/** Whether `actor` may see the case at all: a unit user only the cases dispatched to its unit (docs/security.md). */
function visibleTo(state: OpenedCase, actor: Actor): boolean {
  return actor.role !== 'unit' || (actor.unit !== undefined && unitMaySee(state, actor.unit));
}

/** The one answer for a case that does not exist, or that the reader may not see: the same words, so neither tells. */
function noSuchCase(caseId: string): DomainError {
  return new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
}

export const CaseQueryHandlers = [ListCasesHandler, GetCaseHandler, GetCaseHistoryHandler];
