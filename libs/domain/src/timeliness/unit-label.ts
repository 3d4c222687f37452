/**
 * The label for a handling unit's milestone that no unit held the case for (a petition not yet
 * dispatched when its reply fell due, or a ticket returned and awaiting a new dispatch). 未派单 is
 * what a desk officer calls such a ticket.
 */
export const UNDISPATCHED_UNIT_LABEL = '未派单';

/**
 * Who a counted item is charged to, as the KPIs and the report label it: what the desk owes to the
 * desk (named `deskLabel`, the organisation's name), what a unit owes to that unit, or to 未派单
 * when no unit held the case.
 */
export function chargedLabel(owner: 'unit' | 'desk', unit: string | undefined, deskLabel: string): string {
  if (owner === 'desk') return deskLabel;
  return unit ?? UNDISPATCHED_UNIT_LABEL;
}

/**
 * Orders labels: handling units by UTF-16 code units (not `localeCompare`, whose result depends on
 * the ICU data the runtime ships, so every replay sorts the same way), then the desk, then 未派单.
 */
export function unitLabelOrder(deskLabel: string): (left: string, right: string) => number {
  const tier = (label: string) => (label === UNDISPATCHED_UNIT_LABEL ? 2 : label === deskLabel ? 1 : 0);
  return (left, right) => tier(left) - tier(right) || compareCodeUnits(left, right);
}

/** Whether the label names a handling unit, which the report ranks, rather than the desk or 未派单. */
export function isHandlingUnitLabel(label: string, deskLabel: string): boolean {
  return label !== deskLabel && label !== UNDISPATCHED_UNIT_LABEL;
}

export function compareCodeUnits(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}
