import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EMPTY_DIRECTORY, evolveDirectory, type Actor, type Directory, type DirectoryEvent } from '@cases/domain';
import { EVENT_STORE, WrongExpectedVersionError, type EventStore } from '@cases/event-store';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../infrastructure/clock';

/** How stale this instance's copy of the directory may be when another instance changed it. */
const REFRESH_INTERVAL_MS = 1000;
const MAX_ATTEMPTS = 5;

/**
 * The organisation's units and users, folded from the `directory-<org>` stream and kept in memory.
 * Changes go through `change`: read the stream, decide, append with the revision read, retry on a
 * concurrent change. Every instance re-reads the stream's tail at most once a second when asked,
 * so a change made elsewhere (a disabled user) takes effect here within that second.
 */
@Injectable()
export class DirectoryService {
  private directory: Directory = EMPTY_DIRECTORY;
  private revision: bigint | null = null;
  private refreshedAt = -Infinity;
  private refreshing: Promise<void> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get streamId(): string {
    return `directory-${this.config.org.id}`;
  }

  /** The directory as of at most a second ago. */
  async current(): Promise<Directory> {
    if (performance.now() - this.refreshedAt >= REFRESH_INTERVAL_MS) await this.refresh();
    return this.directory;
  }

  /** The directory with everything appended so far. */
  async fresh(): Promise<Directory> {
    await this.refresh();
    return this.directory;
  }

  /** Decides a change on the freshest directory and records it as `actor`; retried when another writer came first. */
  async change(actor: Actor, decide: (directory: Directory) => DirectoryEvent[]): Promise<Directory> {
    for (let attempt = 1; ; attempt++) {
      await this.refresh();
      const events = decide(this.directory);
      if (events.length === 0) return this.directory;
      const recordedAt = this.clock.now().toISOString();
      try {
        await this.store.append(
          this.streamId,
          events.map((event) => ({
            id: randomUUID(),
            type: event.type,
            data: event.data,
            personal: null,
            metadata: { orgId: this.config.org.id, actor, recordedAt, occurredAt: recordedAt },
          })),
          this.revision ?? 'no_stream',
        );
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      await this.refresh();
      return this.directory;
    }
  }

  /** One read of the stream's tail at a time: concurrent callers share it. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.readTail().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async readTail(): Promise<void> {
    const fromRevision = this.revision === null ? 0n : this.revision + 1n;
    const events = await this.store.readStream(this.streamId, { fromRevision });
    for (const recorded of events) {
      if (this.revision !== null && recorded.revision <= this.revision) continue;
      this.directory = evolveDirectory(this.directory, { type: recorded.type, data: recorded.data } as DirectoryEvent);
      this.revision = recorded.revision;
    }
    this.refreshedAt = performance.now();
  }
}
