import type { Projection } from './projection';
import { caseHistoryProjection } from './case-history';
import { caseListProjection } from './case-list';
import { caseViewProjection } from './case-view';

export * from './projection';
export * from './case-list';
export * from './case-view';
export * from './case-history';

/** Every read model the case service queries, for one runner to feed. */
export function caseProjections(): Projection[] {
  return [caseListProjection(), caseViewProjection(), caseHistoryProjection()];
}
