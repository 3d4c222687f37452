import type { EventStore } from '@cases/event-store';

/**
 * What the intake benchmarks send and check: a hotline ticket body that opens a new case each
 * time, the case ids the service acknowledged, and the cases the log holds. A benchmark that loses
 * an acknowledged intake has measured nothing.
 */

const READ_ALL_PAGE = 10_000;

/** The intakes a benchmark sent and the case ids the service acknowledged with 201. */
export class HotlineIntakeLedger {
  sent = 0;
  answered = 0;
  readonly acknowledgedCaseIds = new Set<string>();
  /** Answers other than 201, by status and problem code: what a refused intake was told. */
  readonly refused = new Map<string, number>();

  /** `runId` makes the platform ticket numbers unique per run (and per ledger), so every intake opens a new case. */
  constructor(private readonly runId: string = Date.now().toString(36)) {}

  nextBody(): string {
    this.sent += 1;
    return JSON.stringify({
      platformTicketNo: `BENCH-${this.runId}-${this.sent}`,
      title: '路灯不亮',
      description: '小寨路口路灯损坏，夜间行人不便',
      community: '小寨社区',
      urgency: 'normal',
    });
  }

  record(status: number, body: string): void {
    this.answered += 1;
    if (status === 201) {
      this.acknowledgedCaseIds.add((JSON.parse(body) as { id: string }).id);
      return;
    }
    const key = `${status} ${problemCode(body)}`;
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
  }
}

function problemCode(body: string): string {
  try {
    return String((JSON.parse(body) as { code?: unknown }).code ?? '');
  } catch {
    return '';
  }
}

/** Ids of the cases a hotline intake opened, read from the whole log of `store`. */
export async function hotlineCaseIdsInLog(store: EventStore): Promise<Set<string>> {
  const caseIds = new Set<string>();
  for (let after = 0n; ;) {
    const events = await store.readAll({ after, maxCount: READ_ALL_PAGE });
    if (events.length === 0) return caseIds;
    for (const event of events) {
      if (event.type === 'HotlineTicketReceived') caseIds.add((event.data as { caseId: string }).caseId);
    }
    after = events[events.length - 1].position;
  }
}
