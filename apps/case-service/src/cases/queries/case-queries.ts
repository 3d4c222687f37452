import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  DomainError,
  caseStreamId,
  decodeCaseEvent,
  foldCase,
  maskPersonalData,
  type CaseKind,
  type CaseStatus,
  type Milestone,
  type OpenedCase,
  type StoredCaseEvent,
} from '@cases/domain';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner, getCaseHistory, getCaseView, listCases, type CaseListQuery } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CLOCK, type Clock } from '../../infrastructure/clock';
import type { ListCasesQueryDto } from '../http/dto';
import { presentCase } from './case-view.presenter';

/**
 * Read-your-writes: a query first waits until the read models have applied everything the log
 * held when it arrived, so a client that just got a 2xx for a command sees its effect.
 */
async function caughtUp(store: EventStore, runner: ProjectionRunner, config: AppConfig): Promise<void> {
  await runner.waitForPosition(await store.headPosition(), config.readYourWritesTimeoutMs);
}

export class ListCasesQuery extends Query<unknown> {
  constructor(readonly filter: ListCasesQueryDto) {
    super();
  }
}

export class GetCaseQuery extends Query<{ view: unknown; revision: bigint }> {
  /** `asOf`: the view as the service knew it at that instant (events recorded at or before it). */
  constructor(
    readonly caseId: string,
    readonly asOf?: Date,
  ) {
    super();
  }
}

export class GetCaseHistoryQuery extends Query<unknown> {
  constructor(readonly caseId: string) {
    super();
  }
}

abstract class ReadModelQueryHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly runner: ProjectionRunner,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
    @Inject(CLOCK) protected readonly clock: Clock,
  ) {}

  protected caughtUp(): Promise<void> {
    return caughtUp(this.store, this.runner, this.config);
  }

  /** The intake event's personal data, masked (SPEC §7); read from the store since read models hold none. */
  protected async maskedPersonal(caseId: string): Promise<unknown> {
    const [intake] = await this.store.readStream(caseStreamId(caseId), { maxCount: 1 });
    if (!intake) return null;
    const event = decodeCaseEvent(intake as unknown as StoredCaseEvent);
    return event.personal === undefined ? null : maskPersonalData(event.personal);
  }
}

@QueryHandler(ListCasesQuery)
export class ListCasesHandler extends ReadModelQueryHandler implements IQueryHandler<ListCasesQuery> {
  async execute({ filter }: ListCasesQuery) {
    await this.caughtUp();
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
    return listCases(this.runner.db, query, this.clock.now());
  }
}

@QueryHandler(GetCaseQuery)
export class GetCaseHandler extends ReadModelQueryHandler implements IQueryHandler<GetCaseQuery> {
  async execute({ caseId, asOf }: GetCaseQuery) {
    if (asOf) return this.asOf(caseId, asOf);
    await this.caughtUp();
    const found = getCaseView(this.runner.db, caseId);
    if (!found) throw new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
    const view = presentCase(found.state, found.revision, this.clock.now(), await this.maskedPersonal(caseId));
    return { view, revision: found.revision };
  }

  /** A temporal query, folded straight from the stream: what the service knew at `asOf`. */
  private async asOf(caseId: string, asOf: Date) {
    const recorded = (await this.store.readStream(caseStreamId(caseId))).filter(
      (event) => Date.parse(String(event.metadata.recordedAt)) <= asOf.getTime(),
    );
    if (recorded.length === 0) throw new DomainError('CASE.NOT_FOUND', `Case ${caseId} did not exist at ${asOf.toISOString()}`);
    const state = foldCase(recorded.map((event) => decodeCaseEvent(event as unknown as StoredCaseEvent))) as OpenedCase;
    const revision = recorded[recorded.length - 1].revision;
    return { view: presentCase(state, revision, asOf, await this.maskedPersonal(caseId)), revision };
  }
}

@QueryHandler(GetCaseHistoryQuery)
export class GetCaseHistoryHandler extends ReadModelQueryHandler implements IQueryHandler<GetCaseHistoryQuery> {
  async execute({ caseId }: GetCaseHistoryQuery) {
    await this.caughtUp();
    const entries = getCaseHistory(this.runner.db, caseId);
    if (entries.length === 0) throw new DomainError('CASE.NOT_FOUND', `No case ${caseId}`);
    return { id: caseId, events: entries };
  }
}

export const CaseQueryHandlers = [ListCasesHandler, GetCaseHandler, GetCaseHistoryHandler];
