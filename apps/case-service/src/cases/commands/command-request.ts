import type { Actor } from '@cases/domain';

/** What every command carries besides its body: who, which request, and the HTTP preconditions. */
export interface CommandRequest {
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  idempotencyKey?: string;
  /** sha256 of the action and the canonical body, to tell a replay from a reused key. */
  requestHash: string;
  /** Business time the client gave (ISO-8601); absent means "now". */
  occurredAt?: string;
  /** From If-Match: the revision the client last saw. */
  expectedRevision?: bigint;
}

export interface CommandOutcome {
  id: string;
  revision: bigint;
  /** Global log position the caller can wait on before reading a read model. */
  position: bigint;
  /** True when nothing new was written (idempotent replay, a hotline ticket seen before, a no-op). */
  replayed: boolean;
}
