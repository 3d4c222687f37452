import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decide, type LifecycleCommand } from '@cases/domain';
import { CaseCommandPipeline } from './case-command.pipeline';
import type { CommandOutcome, CommandRequest } from './command-request';

export class RunCaseActionCommand extends Command<CommandOutcome> {
  constructor(
    readonly caseId: string,
    readonly command: LifecycleCommand,
    readonly request: CommandRequest,
  ) {
    super();
  }
}

@CommandHandler(RunCaseActionCommand)
export class RunCaseActionHandler implements ICommandHandler<RunCaseActionCommand, CommandOutcome> {
  constructor(private readonly pipeline: CaseCommandPipeline) {}

  execute({ caseId, command, request }: RunCaseActionCommand): Promise<CommandOutcome> {
    return this.pipeline.execute(caseId, command.type, request, (state, context) => decide(command, state, context));
  }
}
