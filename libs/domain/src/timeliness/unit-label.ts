/**
 * The unit label for what no handling unit was responsible for: a case never dispatched (or
 * returned and awaiting a new dispatch), and every petition acceptance (the desk decides it before
 * any dispatch). 未派单 is what a desk officer calls such a ticket.
 */
export const UNDISPATCHED_UNIT_LABEL = '未派单';

export function unitLabel(unit: string | undefined): string {
  return unit ?? UNDISPATCHED_UNIT_LABEL;
}

/**
 * Orders unit labels by UTF-16 code units (not `localeCompare`, whose result depends on the ICU
 * data the runtime ships) so that every replay sorts the same way, and puts 未派单 last: it is
 * not a unit and reads best after them.
 */
export function compareUnitLabels(left: string, right: string): number {
  if (left === right) return 0;
  if (left === UNDISPATCHED_UNIT_LABEL) return 1;
  if (right === UNDISPATCHED_UNIT_LABEL) return -1;
  return compareCodeUnits(left, right);
}

export function compareCodeUnits(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}
