/**
 * A named lease: at most one holder at a time among every instance sharing the same store, so a
 * job that must run once (the Kafka relay, the deadline scheduler, a projection) runs in exactly
 * one instance, and another takes over when the holder dies.
 *
 * `acquire` tries once and says whether this holder has it now; `release` gives it up. A held
 * lease can be lost without `release` (the database connection it lives on died): `held` turns
 * false and the `onLost` listeners run. What depends on the lease must stop then.
 */
export interface Lease {
  readonly name: string;
  /** True while this holder has the lease, as far as it can tell. */
  readonly held: boolean;
  /** Tries once, without waiting: true when this holder has the lease now (already held included). */
  acquire(): Promise<boolean>;
  /** Gives the lease up; nothing when not held. */
  release(): Promise<void>;
  /** Runs `listener` each time a held lease is lost without `release`. Returns the unsubscribe. */
  onLost(listener: (reason: string) => void): () => void;
  /** Releases the lease and frees what it holds (a connection); the lease cannot be used afterwards. */
  close(): Promise<void>;
}

/** Makes the leases of one deployment: every instance asking for the same name competes for one lease. */
export interface LeaseProvider {
  /** What backs the leases, for logs and health: `local` or `postgres`. */
  readonly kind: 'local' | 'postgres';
  lease(name: string): Lease;
}
