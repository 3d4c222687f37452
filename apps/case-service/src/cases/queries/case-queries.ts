import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  DomainError,
  caseStreamId,
  decodeCaseEvent,
  foldCase,
  type CaseKind,
  type CaseStatus,
  type Milestone,
  type OpenedCase,
  type StoredCaseEvent,
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
    readonly filter: ListCasesQueryDto,
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
  async execute({ filter, freshness }: ListCasesQuery) {
    const query: CaseListQuery = {
      orgId: this.config.org.id,
      ...(filter.kind ? { kind: filter.kind as CaseKind } : {}),
      ...(filter.status ? { status: filter.status as CaseStatus } : {}),
      ...(filter.unit ? { unit: filter.unit } : {}),
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
    if (!found) throw new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
    // Personal data is read from the store (read models hold none) and opened per person; a reveal
    // appends its access event first, so the view then stands at the revision after it.
    const { personal, revision = found.revision } = await this.personalData.forView(caseId, access);
    return { view: presentCase(found.state, revision, this.clock.now(), personal), revision };
  }

  /** A temporal query, folded straight from the stream: what the service knew at `asOf`. */
  private async asOf(caseId: string, asOf: Date, access: PersonalDataAccessRequest) {
    const recorded = (await this.store.readStream(caseStreamId(caseId))).filter(
      (event) => Date.parse(String(event.metadata.recordedAt)) <= asOf.getTime(),
    );
    if (recorded.length === 0) throw new DomainError('CASE.NOT_FOUND', `Case ${caseId} did not exist at ${asOf.toISOString()}`);
    const state = foldCase(recorded.map((event) => decodeCaseEvent(event as unknown as StoredCaseEvent))) as OpenedCase;
    const revision = recorded[recorded.length - 1].revision;
    const { personal } = await this.personalData.forView(caseId, access);
    return { view: presentCase(state, revision, asOf, personal), revision };
  }
}

@QueryHandler(GetCaseHistoryQuery)
export class GetCaseHistoryHandler extends ReadModelQueryHandler implements IQueryHandler<GetCaseHistoryQuery> {
  async execute({ caseId, freshness }: GetCaseHistoryQuery) {
    const entries = await this.readModels.history.history(caseId, freshness);
    if (entries.length === 0) throw new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
    return { id: caseId, events: entries };
  }
}

export const CaseQueryHandlers = [ListCasesHandler, GetCaseHandler, GetCaseHistoryHandler];
