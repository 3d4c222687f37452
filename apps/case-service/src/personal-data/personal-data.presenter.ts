import { maskPersonalData, type Actor } from '@cases/domain';
import type { OpenedPerson, OpenedPersonal } from '@cases/personal-data';

/** Shown in place of a person whose key was destroyed (crypto-shredding). */
export const DESTROYED_PLACEHOLDER = '（已销毁）';
/** Shown to handling units in place of the petitioner (信访人信息保密). */
export const WITHHELD_PLACEHOLDER = '（保密）';

/** Who sees what (docs/decisions/0008-personal-data-sealed-per-person.md). */
export type Audience = 'masked' | 'revealed' | 'unit';

/** Roles that register or oversee people's data and so may see it in full, each time on the record. */
export const REVEAL_ROLES: readonly Actor['role'][] = ['desk', 'supervisor', 'admin'];

/** Personal keys whose people a handling unit never sees, even masked: the complainant. */
const WITHHELD_FROM_UNITS = new Set(['petitioner']);

export function audienceOf(actor: Actor, reveal: boolean): Audience {
  if (actor.role === 'unit') return 'unit';
  return reveal ? 'revealed' : 'masked';
}

/**
 * An opened personal part as `audience` may see it: masked (张*, 138****1234, the last four of an
 * ID number), in full, or with the petitioner withheld from a unit. A destroyed person shows the
 * placeholder whoever asks. The person id, which an admin needs to destroy a key, is left out for
 * units.
 */
export function presentPersonal(opened: OpenedPersonal, audience: Audience): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(opened).map(([role, people]) => [
      role,
      Array.isArray(people) ? people.map((person) => presentPerson(role, person, audience)) : presentPerson(role, people, audience),
    ]),
  );
}

function presentPerson(role: string, person: OpenedPerson, audience: Audience): Record<string, unknown> {
  if (audience === 'unit' && WITHHELD_FROM_UNITS.has(role)) return { withheld: true, name: WITHHELD_PLACEHOLDER };
  const id = audience === 'unit' || person.personId === null ? {} : { personId: person.personId };
  if (person.state === 'destroyed') return { ...id, destroyed: true, name: DESTROYED_PLACEHOLDER };
  const fields = audience === 'revealed' ? person.fields : (maskPersonalData(person.fields) as Record<string, unknown>);
  return { ...id, ...fields };
}

/** The fields a full view shows that a masked one hides (`petitioner.phone`, `parties[1].name`): what an access event records. */
export function revealedFields(opened: OpenedPersonal): string[] {
  const fields: string[] = [];
  for (const [role, people] of Object.entries(opened)) {
    const list = Array.isArray(people) ? people.map((person, index) => [`${role}[${index}]`, person] as const) : [[role, people] as const];
    for (const [path, person] of list) {
      if (person.state === 'destroyed') continue;
      for (const field of Object.keys(person.fields)) if (field !== 'role') fields.push(`${path}.${field}`);
    }
  }
  return fields;
}
