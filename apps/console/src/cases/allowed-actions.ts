import type { LifecycleAction } from '@cases/domain/cases/case.commands';
import { LIFECYCLE_ACTIONS, LIFECYCLE_RULES, type LifecycleRule } from '@cases/domain/cases/lifecycle-rules';
import type { SignedInUser } from '../api/client';
import type { CaseView } from '../api/responses';

/**
 * The commands to offer on a case: those the domain's lifecycle table admits from its status, for
 * its kind and for the signed-in role (a unit user only on its own case), minus overlays with
 * nothing to act on.
 */
export function allowedActions(view: CaseView, user: SignedInUser | null): LifecycleAction[] {
  return LIFECYCLE_ACTIONS.filter((action) => {
    const rule: LifecycleRule = LIFECYCLE_RULES[action];
    if (!rule.from.includes(view.status) || !rule.kinds.includes(view.kind)) return false;
    if (user === null || !rule.roles.includes(user.role)) return false;
    if (user.role === 'unit' && user.unit !== view.unit) return false;
    switch (action) {
      case 'decide-extension':
        return view.extensions.some((extension) => extension.decision === undefined);
      case 'request-extension':
        return view.extensions.every((extension) => extension.decision !== undefined) && view.unit !== undefined;
      case 'answer-supervision':
        return view.supervisions.some((supervision) => supervision.answer === undefined);
      default:
        return true;
    }
  });
}

/** The steps that move a case forward, shown as primary buttons; the rest are secondary. */
export const MAIN_ACTIONS: ReadonlySet<LifecycleAction> = new Set([
  'accept',
  'dispatch',
  'sign',
  'resolve',
  'review',
  'decide-reexamination',
]);
