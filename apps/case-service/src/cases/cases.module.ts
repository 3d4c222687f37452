import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CaseCommandPipeline } from './commands/case-command.pipeline';
import { CaseNumberAllocator } from './commands/case-number.allocator';
import { RegisterCaseHandler } from './commands/register-case.command';
import { RunCaseActionHandler } from './commands/run-case-action.command';
import { CaseActionsController } from './http/case-actions.controller';
import { IntakeController } from './http/intake.controller';
import { CaseQueriesController } from './http/case-queries.controller';
import { CommandRequestFactory } from './http/command-request.factory';
import { CaseQueryHandlers } from './queries/case-queries';
import { PersonalDataAccess } from '../personal-data/personal-data-access.service';
import { PersonalDataController } from '../personal-data/personal-data.controller';

@Module({
  imports: [AuthModule],
  controllers: [IntakeController, CaseActionsController, CaseQueriesController, PersonalDataController],
  providers: [
    CaseCommandPipeline,
    CaseNumberAllocator,
    CommandRequestFactory,
    RegisterCaseHandler,
    RunCaseActionHandler,
    ...CaseQueryHandlers,
    PersonalDataAccess,
  ],
  exports: [CaseCommandPipeline],
})
export class CasesModule {}
