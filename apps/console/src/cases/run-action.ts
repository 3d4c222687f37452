import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import { api } from '../api/client';
import type { paths as ApiPaths } from '../api/schema';
import { randomUuid } from '../api/idempotency';
import { call } from '../api/problems';

type ActionPath<A extends LifecycleAction> = `/api/cases/{id}/${A}`;

/** Fails to compile when the domain has a command the service's document has no route for. */
type EveryActionRouted = ActionPath<LifecycleAction> extends keyof ApiPaths ? true : never;
const everyActionRouted: EveryActionRouted = true;
void everyActionRouted;

/** The JSON body the service's document gives for `action`. */
export type ActionBody<A extends LifecycleAction> = ApiPaths[ActionPath<A>] extends {
  post: { requestBody?: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/**
 * Runs a lifecycle command on the revision the person was looking at (`If-Match`): if someone
 * else changed the case meanwhile the service answers 412 instead of acting on a case the person
 * has not seen. One Idempotency-Key per attempt makes a retried request safe.
 */
export async function runAction<A extends LifecycleAction>(action: A, caseId: string, body: ActionBody<A>, revision: number) {
  const path = `/api/cases/{id}/${action}` as ActionPath<'accept'>;
  const { data } = await call(
    api.POST(path, {
      params: { path: { id: caseId }, header: { 'If-Match': `"${revision}"`, 'Idempotency-Key': randomUuid() } },
      body: body as ActionBody<'accept'>,
    }),
  );
  return data;
}
