import { LeaseKeeper } from './lease-keeper';
import { LocalLeaseProvider } from './local-lease';

/** The embedded store's leases: one instance by design, so granted at once; still exclusive within the process. */
describe('local leases', () => {
  it('grants a lease at once and never to two holders of one name', async () => {
    const leases = new LocalLeaseProvider();
    const first = leases.lease('relay');
    const second = leases.lease('relay');
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);
    expect(await leases.lease('deadline-scheduler').acquire()).toBe(true);
    await first.release();
    expect(await second.acquire()).toBe(true);
  });

  it('a keeper runs its work at once and stops it when stopped', async () => {
    const lease = new LocalLeaseProvider().lease('relay');
    const events: string[] = [];
    const keeper = new LeaseKeeper({
      lease,
      retryIntervalMs: 10_000,
      run: () => {
        events.push('started');
        return async () => {
          events.push('stopped');
        };
      },
    });
    keeper.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(keeper.running).toBe(true);
    await keeper.stop();
    expect(events).toEqual(['started', 'stopped']);
    expect(lease.held).toBe(false);
  });

  it('a keeper whose work fails to start gives the lease up and tries again later', async () => {
    const lease = new LocalLeaseProvider().lease('relay');
    const warnings: string[] = [];
    const keeper = new LeaseKeeper({
      lease,
      retryIntervalMs: 10_000,
      logger: { log: () => undefined, warn: (message) => warnings.push(message) },
      run: () => {
        throw new Error('no producer');
      },
    });
    keeper.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(keeper.running).toBe(false);
    expect(lease.held).toBe(false);
    expect(warnings).toEqual(['Lease relay taken, but its work did not start: no producer']);
    await keeper.stop();
  });
});
