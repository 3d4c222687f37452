import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { DeadlineScheduler } from './deadline-scheduler';

@Module({
  imports: [CasesModule],
  providers: [DeadlineScheduler],
  exports: [DeadlineScheduler],
})
export class DeadlinesModule {}
