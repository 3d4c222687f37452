import {
  DISPUTE_OUTCOMES,
  LINK_RELATIONS,
  MEDIATION_TYPES,
  PETITION_OUTCOMES,
  REEXAMINATION_DECISIONS,
  REMOVABLE_TICKET_FIELDS,
  SATISFACTIONS,
  URGENCIES,
  type DisputeOutcome,
  type LinkRelation,
  type MediationType,
  type PetitionOutcome,
  type ReexaminationDecision,
  type RemovableTicketField,
  type Satisfaction,
  type Urgency,
} from '@cases/domain';
import { CommandBodyDto } from './command-body.dto';
import {
  BooleanField,
  DateTimeField,
  EnumArrayField,
  EnumField,
  IntegerField,
  MAX_LENGTH,
  NestedField,
  TextField,
  UuidField,
} from './field-decorators';
import { CallerDto } from './intake.dto';

/**
 * Bodies of `POST /api/cases/{id}/{action}`, one class per action of SPEC §6. They check types,
 * enumerations and lengths only: which fields a case's kind requires (a petition's reply needs an
 * outcome, a hotline review a satisfaction) is decided by the domain, which knows the kind.
 */

/** `accept`: 受理. */
export class AcceptDto extends CommandBodyDto {
  @TextField({ optional: true, maxLength: MAX_LENGTH.text, description: 'Note on the acceptance (受理意见)', example: '符合受理条件' })
  readonly note?: string;
}

/** `reject`: 不予受理. */
export class RejectDto extends CommandBodyDto {
  @TextField({
    maxLength: MAX_LENGTH.text,
    description: 'Why the case is not accepted (不予受理理由)',
    example: '已经或者依法应当通过诉讼途径解决',
  })
  readonly reason: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.name,
    description: 'Body the petitioner is referred to (告知向有关机关提出)',
    example: '雁塔区人民法院',
  })
  readonly referredTo?: string;
}

/** `dispatch`: 交办/派单 to a handling unit. */
export class DispatchDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.name, description: 'Handling unit the case goes to (承办单位)', example: '小寨社区' })
  readonly unit: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Instructions for the unit (交办意见)',
    example: '请于5个工作日内核实处理',
  })
  readonly instructions?: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description:
      'Only to dispatch a petition to a unit it complains about, by a supervisor or admin: why (recorded on the dispatch). Refused (422) for any other unit',
    example: '被反映单位为唯一有管辖权的单位，已隐去信访人信息',
  })
  readonly overrideReason?: string;
}

/** `sign`: 签收; nothing to say beyond when. */
export class SignDto extends CommandBodyDto {}

/** `return`: 退单, back to the desk for a new dispatch. */
export class ReturnDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'Why the unit returns the case (退单理由)', example: '不属于本单位职责范围' })
  readonly reason: string;
}

/** `progress`: 办理进展. */
export class ProgressDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'Progress made (办理进展)', example: '已现场核实，正在协调物业清理' })
  readonly text: string;
}

/** `note`: 备注. */
export class NoteDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'The note (备注)', example: '当事人要求电话联系' })
  readonly text: string;

  @BooleanField({
    optional: true,
    description: 'Whether the note is internal (内部备注)',
    example: true,
  })
  readonly internal?: boolean;
}

/** `request-extension`: 延期申请. */
export class RequestExtensionDto extends CommandBodyDto {
  @IntegerField({
    min: 1,
    max: 365,
    description: 'Days asked for (延期天数); the policy caps what can be approved per kind',
    example: 10,
  })
  readonly days: number;

  @TextField({ maxLength: MAX_LENGTH.text, description: 'Why more time is needed (延期理由)', example: '需等待不动产登记部门出具意见' })
  readonly reason: string;
}

/** `decide-extension`: 延期审批. */
export class DecideExtensionDto extends CommandBodyDto {
  @BooleanField({ description: 'Whether the extension is approved (是否同意延期)', example: true })
  readonly approved: boolean;

  @TextField({ optional: true, maxLength: MAX_LENGTH.text, description: 'Reason for the decision (审批意见)', example: '同意延期' })
  readonly reason?: string;
}

/** `resolve`: 办结/答复, or 调结 for a dispute. */
export class ResolveDto extends CommandBodyDto {
  @EnumField([...PETITION_OUTCOMES, ...DISPUTE_OUTCOMES], {
    optional: true,
    enumName: 'ResolveOutcome',
    description:
      'Outcome (处理结果). Petition (required): supported 支持, partially-supported 部分支持, explained 解释说明, not-supported 不支持. ' +
      'Dispute (required): mediated 调解成功, failed 调解不成功. Hotline: none',
    example: 'supported',
  })
  readonly outcome?: PetitionOutcome | DisputeOutcome;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Reply to the citizen (答复意见); required for petitions and hotline tickets',
    example: '经核实，已协调物业于3月5日清理完毕。',
  })
  readonly reply?: string;

  @EnumField(MEDIATION_TYPES, {
    optional: true,
    enumName: 'MediationType',
    description:
      'Mediation type (调解类型), required for disputes: people 人民调解, administrative 行政调解, judicial 司法调解, joint 联动调解',
    example: 'people',
  })
  readonly mediationType?: MediationType;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Terms of the mediation agreement (调解协议内容), for a mediated dispute',
    example: '双方同意由甲方于3月底前修复漏水管道并赔偿损失2000元。',
  })
  readonly agreement?: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Where a failed mediation was referred (引导途径): litigation, arbitration, administrative channel',
    example: '引导当事人向雁塔区人民法院提起诉讼',
  })
  readonly referral?: string;
}

/** `review`: 回访/评价. */
export class ReviewDto extends CommandBodyDto {
  @EnumField(SATISFACTIONS, {
    optional: true,
    enumName: 'Satisfaction',
    description:
      'Citizen’s satisfaction on the call-back (满意度), required for hotline tickets: satisfied 满意, basically-satisfied 基本满意, unsatisfied 不满意',
    example: 'satisfied',
  })
  readonly satisfaction?: Satisfaction;

  @BooleanField({
    optional: true,
    description: 'Whether the problem was solved (是否解决: 已解决 / 未解决), required for hotline tickets',
    example: true,
  })
  readonly solved?: boolean;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Note on the call-back or follow-up visit (回访情况)',
    example: '群众表示满意',
  })
  readonly note?: string;
}

/** `reopen`: 重办. */
export class ReopenDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'Why the case is reopened (重办理由)', example: '回访不满意，问题未解决' })
  readonly reason: string;
}

/** `close`: 结案 without a review. */
export class CloseDto extends CommandBodyDto {
  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Why the case is closed (结案说明)',
    example: '多次联系群众未接通',
  })
  readonly note?: string;
}

/** `supervise`: 督办. */
export class SuperviseDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'The supervision order (督办意见)', example: '请于本周内办结并报送结果' })
  readonly instruction: string;

  @DateTimeField({ optional: true, description: 'When the answer is due (督办时限)', example: '2026-03-06T18:00:00+08:00' })
  readonly dueAt?: string;
}

/** `answer-supervision`: 督办回复. */
export class AnswerSupervisionDto extends CommandBodyDto {
  @UuidField({ description: 'The supervision order answered (督办单)', example: '0195a2b4-7c1e-7d3a-9f00-2b6f5c1e8a41' })
  readonly supervisionId: string;

  @TextField({ maxLength: MAX_LENGTH.text, description: 'The unit’s answer (督办回复)', example: '已于3月5日办结' })
  readonly answer: string;
}

/** `request-reexamination`: 复查申请. */
export class RequestReexaminationDto extends CommandBodyDto {
  @TextField({
    maxLength: MAX_LENGTH.text,
    description: 'Why the petitioner asks for a re-examination (复查请求及理由)',
    example: '对答复意见不服',
  })
  readonly reason: string;
}

/** `decide-reexamination`: 复查意见. */
export class DecideReexaminationDto extends CommandBodyDto {
  @EnumField(REEXAMINATION_DECISIONS, {
    enumName: 'ReexaminationDecision',
    description: 'Decision (复查结论): upheld 维持, changed 变更, revoked 撤销, remanded 责令重新处理',
    example: 'upheld',
  })
  readonly decision: ReexaminationDecision;

  @TextField({
    maxLength: MAX_LENGTH.text,
    description: 'The re-examination opinion (复查意见书)',
    example: '原处理意见事实清楚，予以维持。',
  })
  readonly opinion: string;
}

/** `link`: 关联案件. */
export class LinkDto extends CommandBodyDto {
  @UuidField({ description: 'The case linked to (关联案件)', example: '0195a2b4-7c1e-7d3a-9f00-2b6f5c1e8a42' })
  readonly targetId: string;

  @EnumField(LINK_RELATIONS, {
    enumName: 'LinkRelation',
    description: 'How this case relates to the target: repeat-of 重复信访, duplicate-of 重复登记, related 相关',
    example: 'repeat-of',
  })
  readonly relation: LinkRelation;
}

/** `urge`: 催办 recorded by hand, when the 12345 platform urged by phone rather than over Kafka. */
export class UrgeDto extends CommandBodyDto {
  @TextField({ optional: true, maxLength: MAX_LENGTH.text, description: 'What the platform said (催办内容)', example: '市民再次来电催促' })
  readonly note?: string;
}

/** `withdraw`: 撤单 recorded by hand, when the 12345 platform notified the withdrawal otherwise than over Kafka. */
export class WithdrawDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.text, description: 'Why the platform withdrew the ticket (撤单原因)', example: '市民撤回诉求' })
  readonly reason: string;
}

/**
 * `amend-ticket`: 工单更正, the desk correcting a ticket's details (a typing error in a ticket it
 * entered by hand). Fields given replace the ticket's, fields named in `remove` are taken away,
 * the rest stay; the 12345 platform's own corrections arrive over Kafka as the same command.
 */
export class AmendTicketDto extends CommandBodyDto {
  @TextField({ optional: true, maxLength: MAX_LENGTH.title, description: 'Corrected title (标题)', example: '小区路灯不亮' })
  readonly title?: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.text,
    description: 'Corrected content (诉求内容)',
    example: '幸福路12号院内路灯三盏不亮',
  })
  readonly description?: string;

  @TextField({ optional: true, maxLength: MAX_LENGTH.name, description: 'Corrected community (社区)', example: '幸福社区' })
  readonly community?: string;

  @TextField({ optional: true, maxLength: MAX_LENGTH.name, description: 'Corrected category (分类)', example: '市政设施' })
  readonly category?: string;

  @EnumField(URGENCIES, {
    optional: true,
    enumName: 'Urgency',
    description: 'Corrected urgency (紧急程度); applies from the next dispatch',
    example: 'urgent',
  })
  readonly urgency?: Urgency;

  @DateTimeField({
    optional: true,
    description: 'Corrected platform resolve deadline (平台办结时限); applies from the next dispatch, a deadline already running stays',
    example: '2026-03-10T18:00:00+08:00',
  })
  readonly platformDeadline?: string;

  @NestedField(() => CallerDto, { optional: true, description: 'Corrected caller (来电人), replacing the one on file', personalData: true })
  readonly caller?: CallerDto;

  @EnumArrayField(REMOVABLE_TICKET_FIELDS, {
    optional: true,
    enumName: 'RemovableTicketField',
    description: 'Optional details to take away from the ticket; a field cannot be both given and removed',
    example: ['category'],
  })
  readonly remove?: RemovableTicketField[];
}
