import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from './config/app-config';
import { AuditController } from './audit/audit.controller';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { TimelinessModule } from './timeliness/timeliness.module';
import { HealthController } from './health/health.controller';
import type { Clock } from './infrastructure/clock';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { KafkaModule } from './kafka/kafka.module';
import { PersonalDataVaultModule } from './personal-data/personal-data-vault.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      // CqrsModule routes commands and queries to their handlers; its in-process EventBus is
      // deliberately unused: read models are fed from the event store's global log.
      imports: [
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(config, clock),
        PersonalDataVaultModule,
        AuthModule,
        CasesModule,
        DeadlinesModule,
        TimelinessModule,
        // Off (only GET /health/kafka, saying so) unless KAFKA_BROKERS names a cluster.
        KafkaModule.forRoot(config.kafka),
      ],
      controllers: [HealthController, AuditController],
    };
  }
}
