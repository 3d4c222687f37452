import { Module } from '@nestjs/common';
import { LongWorkGate } from './long-work.gate';

/** The one-at-a-time gate for long work (docs/statistics.md, "Long work"): one per instance. */
@Module({
  providers: [LongWorkGate],
  exports: [LongWorkGate],
})
export class LongWorkModule {}
