export const ROLES = ['desk', 'unit', 'supervisor', 'admin', 'system'] as const;
export type Role = (typeof ROLES)[number];

/** Who performed a step. `unit` is set for handling-unit users (and the scheduler never has one). */
export interface Actor {
  id: string;
  role: Role;
  unit?: string;
}
