import { Module } from '@nestjs/common';
import { CaseCommandPipeline } from './commands/case-command.pipeline';
import { CaseNumberAllocator } from './commands/case-number.allocator';
import { RegisterCaseHandler } from './commands/register-case.command';
import { RunCaseActionHandler } from './commands/run-case-action.command';
import { CaseCommandsController } from './http/case-commands.controller';
import { CaseQueriesController } from './http/case-queries.controller';
import { CommandRequestFactory } from './http/command-request.factory';
import { CaseQueryHandlers } from './queries/case-queries';

@Module({
  controllers: [CaseCommandsController, CaseQueriesController],
  providers: [
    CaseCommandPipeline,
    CaseNumberAllocator,
    CommandRequestFactory,
    RegisterCaseHandler,
    RunCaseActionHandler,
    ...CaseQueryHandlers,
  ],
  exports: [CaseCommandPipeline],
})
export class CasesModule {}
