import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LongWorkGate } from './long-work.gate';
import { RetryAfterInterceptor } from './retry-after.interceptor';

/** The one-at-a-time gate for long work (docs/statistics.md, "Long work"): one per instance. */
@Module({
  providers: [LongWorkGate, { provide: APP_INTERCEPTOR, useClass: RetryAfterInterceptor }],
  exports: [LongWorkGate],
})
export class LongWorkModule {}
