import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, decide, requireActiveUnit, type LifecycleCommand } from '@cases/domain';
import { DirectoryService } from '../../auth/directory.service';
import { CaseCommandPipeline, asSeenBy } from './case-command.pipeline';
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
  constructor(
    private readonly pipeline: CaseCommandPipeline,
    private readonly directory: DirectoryService,
  ) {}

  async execute({ caseId, command, request }: RunCaseActionCommand): Promise<CommandOutcome> {
    // A dispatch names a unit of the directory by its code (docs/security.md, units and users).
    if (command.type === 'dispatch') requireActiveUnit(await this.directory.current(), command.unit);
    if (command.type === 'link' && command.targetId !== caseId) {
      // A case the unit may not see is, as a link target too, a case that does not exist.
      const target = asSeenBy(await this.pipeline.load(command.targetId), request.actor);
      if (target.state.status === 'none') {
        throw new DomainError('CASE.INVALID_COMMAND', `Cannot link to case ${command.targetId}: no such case`, {
          targetId: command.targetId,
        });
      }
    }
    const { id, revision, position, replayed } = await this.pipeline.execute({
      caseId,
      command: command.type,
      request,
      decide: (state, context) => decide(command, state, context),
    });
    return { id, revision, position, replayed };
  }
}
