import { Module } from '@nestjs/common';
import { LongWorkModule } from '../long-work/long-work.module';
import { kpiDefinitionsProvider } from './kpi-definitions.provider';
import { timelinessThreadProvider } from './timeliness-thread.provider';
import { TimelinessFactsSource } from './timeliness-facts.source';
import { TimelinessController } from './timeliness.controller';
import { TimelinessService } from './timeliness.service';

@Module({
  imports: [LongWorkModule],
  controllers: [TimelinessController],
  providers: [kpiDefinitionsProvider, timelinessThreadProvider, TimelinessFactsSource, TimelinessService],
  exports: [TimelinessService],
})
export class TimelinessModule {}
