import type { Lease, LeaseProvider } from './lease';

/**
 * Leases for the embedded store. The SQLite event log is one file written by one process
 * (docs/decisions/0007): there is never a second instance to compete with, so each lease is
 * granted at once and never lost. Two leases of the same name in one process still exclude each
 * other, so code written against the port behaves the same here as on PostgreSQL.
 */
export class LocalLeaseProvider implements LeaseProvider {
  readonly kind = 'local' as const;
  private readonly holders = new Set<string>();

  lease(name: string): Lease {
    return new LocalLease(name, this.holders);
  }
}

class LocalLease implements Lease {
  private holding = false;

  constructor(
    readonly name: string,
    private readonly holders: Set<string>,
  ) {}

  get held(): boolean {
    return this.holding;
  }

  async acquire(): Promise<boolean> {
    if (this.holding) return true;
    if (this.holders.has(this.name)) return false;
    this.holders.add(this.name);
    this.holding = true;
    return true;
  }

  async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    this.holders.delete(this.name);
  }

  onLost(): () => void {
    // Never lost: no connection to die.
    return () => undefined;
  }

  close(): Promise<void> {
    return this.release();
  }
}
