import { Module } from '@nestjs/common';
import { kpiDefinitionsProvider } from './kpi-definitions.provider';
import { TimelinessFactsSource } from './timeliness-facts.source';
import { TimelinessController } from './timeliness.controller';
import { TimelinessService } from './timeliness.service';

@Module({
  controllers: [TimelinessController],
  providers: [kpiDefinitionsProvider, TimelinessFactsSource, TimelinessService],
  exports: [TimelinessService],
})
export class TimelinessModule {}
