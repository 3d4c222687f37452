import { DomainError } from '../shared/errors';
import type { Role } from '../shared/actor';

/*
 * The directory: the organisation's handling units (社区、科室、站所) and its users. Both are data
 * recorded as events in one stream per organisation, so who granted what to whom, and when, is in
 * the log like every case step (docs/security.md). Decisions here are pure; the service reads the
 * stream, folds it, decides and appends with the revision it read.
 */

export const UNIT_TYPES = ['community', 'department', 'station'] as const;
export type UnitType = (typeof UNIT_TYPES)[number];
/** Roles a person can hold; `system` is the scheduler's and the 12345 platform's, never a user's. */
export const USER_ROLES = ['desk', 'unit', 'supervisor', 'admin'] as const satisfies readonly Role[];
export type UserRole = (typeof USER_ROLES)[number];

export interface Unit {
  code: string;
  name: string;
  type: UnitType;
  active: boolean;
}

export interface User {
  username: string;
  displayName: string;
  role: UserRole;
  /** The handling unit a `unit` user works for. */
  unit?: string;
  active: boolean;
  /** scrypt hash (docs/security.md); never leaves the service. */
  passwordHash: string;
  /**
   * Bumped by everything that must end the user's sessions at once (logout, a password, role or
   * unit change, disabling): a token carries the epoch it was issued in and is refused after.
   */
  sessionEpoch: number;
}

export type DirectoryEvent =
  | { type: 'UnitRegistered'; data: Omit<Unit, 'active'> }
  | { type: 'UnitChanged'; data: { code: string } & Partial<Omit<Unit, 'code'>> }
  | { type: 'UserRegistered'; data: Omit<User, 'active' | 'sessionEpoch'> }
  | { type: 'UserChanged'; data: { username: string; displayName?: string; role?: UserRole; unit?: string | null; active?: boolean } }
  | { type: 'PasswordChanged'; data: { username: string; passwordHash: string } }
  | { type: 'SessionsEnded'; data: { username: string; reason: 'logout' } };

export interface Directory {
  units: ReadonlyMap<string, Unit>;
  users: ReadonlyMap<string, User>;
}

export const EMPTY_DIRECTORY: Directory = { units: new Map(), users: new Map() };

export function evolveDirectory(directory: Directory, event: DirectoryEvent): Directory {
  switch (event.type) {
    case 'UnitRegistered':
      return { ...directory, units: new Map(directory.units).set(event.data.code, { ...event.data, active: true }) };
    case 'UnitChanged': {
      const unit = directory.units.get(event.data.code);
      if (unit === undefined) return directory;
      return { ...directory, units: new Map(directory.units).set(unit.code, { ...unit, ...event.data }) };
    }
    case 'UserRegistered':
      return { ...directory, users: new Map(directory.users).set(event.data.username, { ...event.data, active: true, sessionEpoch: 0 }) };
    case 'UserChanged': {
      const user = directory.users.get(event.data.username);
      if (user === undefined) return directory;
      const { unit, ...rest } = event.data;
      const changed: User = { ...user, ...withoutUndefined(rest), sessionEpoch: user.sessionEpoch + 1 };
      if (unit === null) delete changed.unit;
      else if (unit !== undefined) changed.unit = unit;
      return { ...directory, users: new Map(directory.users).set(user.username, changed) };
    }
    case 'PasswordChanged':
    case 'SessionsEnded': {
      const user = directory.users.get(event.data.username);
      if (user === undefined) return directory;
      const passwordHash = event.type === 'PasswordChanged' ? event.data.passwordHash : user.passwordHash;
      return {
        ...directory,
        users: new Map(directory.users).set(user.username, { ...user, passwordHash, sessionEpoch: user.sessionEpoch + 1 }),
      };
    }
  }
}

// ---- decisions ----

export function registerUnit(directory: Directory, unit: Omit<Unit, 'active'>): DirectoryEvent[] {
  if (directory.units.has(unit.code)) throw conflict(`Unit '${unit.code}' already exists`, { code: unit.code });
  return [{ type: 'UnitRegistered', data: unit }];
}

export function changeUnit(directory: Directory, code: string, change: Partial<Omit<Unit, 'code'>>): DirectoryEvent[] {
  const unit = directory.units.get(code);
  if (unit === undefined) throw new DomainError('DIRECTORY.NOT_FOUND', `No unit '${code}'`, { code });
  const changed = withoutUndefined(change);
  const differs = Object.entries(changed).some(([key, value]) => unit[key as keyof Unit] !== value);
  return differs ? [{ type: 'UnitChanged', data: { code, ...changed } }] : [];
}

export interface NewUser {
  username: string;
  displayName: string;
  role: UserRole;
  unit?: string;
  passwordHash: string;
}

export function registerUser(directory: Directory, user: NewUser): DirectoryEvent[] {
  if (directory.users.has(user.username)) throw conflict(`User '${user.username}' already exists`, { username: user.username });
  requireUnitForRole(directory, user.role, user.unit);
  return [{ type: 'UserRegistered', data: withoutUndefined(user) }];
}

export interface UserChange {
  displayName?: string;
  role?: UserRole;
  unit?: string | null;
  active?: boolean;
}

export function changeUser(directory: Directory, username: string, change: UserChange): DirectoryEvent[] {
  const user = requireUser(directory, username);
  const role = change.role ?? user.role;
  // Only a unit user belongs to a unit: leaving the role leaves the unit too.
  const unit = role !== 'unit' ? undefined : change.unit === undefined ? user.unit : (change.unit ?? undefined);
  requireUnitForRole(directory, role, unit);
  const data: Extract<DirectoryEvent, { type: 'UserChanged' }>['data'] = { username };
  if (change.displayName !== undefined && change.displayName !== user.displayName) data.displayName = change.displayName;
  if (role !== user.role) data.role = role;
  if (unit !== user.unit) data.unit = unit ?? null;
  if (change.active !== undefined && change.active !== user.active) data.active = change.active;
  return Object.keys(data).length > 1 ? [{ type: 'UserChanged', data }] : [];
}

export function changePassword(directory: Directory, username: string, passwordHash: string): DirectoryEvent[] {
  requireUser(directory, username);
  return [{ type: 'PasswordChanged', data: { username, passwordHash } }];
}

export function endSessions(directory: Directory, username: string): DirectoryEvent[] {
  requireUser(directory, username);
  return [{ type: 'SessionsEnded', data: { username, reason: 'logout' } }];
}

/** A dispatch names a unit of the directory by its code; an unknown or inactive one is refused. */
export function requireActiveUnit(directory: Directory, code: string): Unit {
  const unit = directory.units.get(code);
  if (unit === undefined || !unit.active) {
    throw new DomainError('CASE.INVALID_COMMAND', `'${code}' is not an active unit of the directory`, { unit: code });
  }
  return unit;
}

function requireUser(directory: Directory, username: string): User {
  const user = directory.users.get(username);
  if (user === undefined) throw new DomainError('DIRECTORY.NOT_FOUND', `No user '${username}'`, { username });
  return user;
}

function requireUnitForRole(directory: Directory, role: UserRole, unit: string | undefined): void {
  if (role === 'unit') {
    if (unit === undefined) throw new DomainError('CASE.INVALID_COMMAND', 'A unit user needs the code of their unit', { field: 'unit' });
    requireActiveUnit(directory, unit);
  } else if (unit !== undefined) {
    throw new DomainError('CASE.INVALID_COMMAND', `Only a unit user belongs to a unit, not a ${role}`, { field: 'unit' });
  }
}

function conflict(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('DIRECTORY.ALREADY_EXISTS', message, details);
}

function withoutUndefined<Value extends object>(value: Value): Value {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Value;
}
