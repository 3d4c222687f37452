import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner } from '@cases/read-models';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, systemClock, type Clock } from './clock';
import { deadlinePolicyProviders } from './deadline-policy.provider';
import { eventStoreProvider } from './event-store.provider';
import { leasesProvider } from './leases.provider';
import { readModelQueriesProvider, readModelsProvider } from './read-models.provider';

/**
 * The service's outside world: configuration, clock, event store, deadline policy and the read
 * models fed from the store's global log. Starts the projections after the application is up
 * and closes everything in reverse order on shutdown.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(config: AppConfig, clock: Clock = systemClock): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: CLOCK, useValue: clock },
      eventStoreProvider,
      ...deadlinePolicyProviders,
      readModelsProvider,
      readModelQueriesProvider,
      leasesProvider,
    ];
    return { module: InfrastructureModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projections.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projections.stop();
    await this.store.close();
  }
}
