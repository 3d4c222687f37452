import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import {
  DISPUTE_SOURCES,
  PETITION_CHANNELS,
  URGENCIES,
  type Caller,
  type DisputeParty,
  type DisputeSource,
  type PetitionChannel,
  type Petitioner,
  type Urgency,
} from '@cases/domain';
import { CommandBodyDto } from './command-body.dto';
import {
  DateTimeField,
  EnumField,
  MAX_LENGTH,
  NestedArrayField,
  NestedField,
  PhoneField,
  ResidentIdField,
  TextField,
} from './field-decorators';

// ---- the people of SPEC §7: name, phone, ID number and address are personal data ----

export class PetitionerDto implements Petitioner {
  @TextField({ maxLength: MAX_LENGTH.name, description: 'Name of the petitioner (信访人姓名)', example: '张三', personalData: true })
  readonly name: string;

  @PhoneField({ optional: true, description: 'Contact phone (联系电话)', example: '13812341234', personalData: true })
  readonly phone?: string;

  @ResidentIdField({
    optional: true,
    description: 'Resident ID card number (居民身份证号码); a lower-case x is stored as X',
    example: '610113199001011234',
    personalData: true,
  })
  readonly idNumber?: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.address,
    description: 'Address (住址)',
    example: '雁塔区小寨东路1号',
    personalData: true,
  })
  readonly address?: string;
}

export class CallerDto implements Caller {
  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.name,
    description: 'Name of the caller (来电人姓名), when the platform gives it',
    example: '李四',
    personalData: true,
  })
  readonly name?: string;

  @PhoneField({ optional: true, description: 'Caller’s phone (来电号码)', example: '029-88881234', personalData: true })
  readonly phone?: string;
}

export class DisputePartyDto implements DisputeParty {
  @TextField({ maxLength: MAX_LENGTH.name, description: 'Name of the party (当事人姓名)', example: '王五', personalData: true })
  readonly name: string;

  @PhoneField({ optional: true, description: 'Contact phone (联系电话)', example: '13912345678', personalData: true })
  readonly phone?: string;

  @TextField({
    optional: true,
    maxLength: MAX_LENGTH.name,
    description: 'Role in the dispute (当事人身份), e.g. applicant (申请人) or respondent (被申请人)',
    example: '申请人',
  })
  readonly role?: string;
}

// ---- intake bodies ----

/** The fields every kind of case is registered with. */
abstract class IntakeBodyDto extends CommandBodyDto {
  @TextField({ maxLength: MAX_LENGTH.title, description: 'Short summary of the matter (标题)', example: '小区楼道堆放杂物' })
  readonly title: string;

  @TextField({
    maxLength: MAX_LENGTH.text,
    description: 'What the matter is about (内容/诉求)',
    example: '3号楼2单元楼道长期堆放杂物，存在消防隐患，请求清理。',
  })
  readonly description: string;

  @TextField({ maxLength: MAX_LENGTH.name, description: 'Community the matter belongs to (社区/村)', example: '小寨社区' })
  readonly community: string;

  @TextField({ optional: true, maxLength: MAX_LENGTH.name, description: 'Category (类别)', example: '城市管理' })
  readonly category?: string;
}

/** Most units one petition may name; more is a malformed request, not a real petition. */
const MAX_COMPLAINED_UNITS = 20;

/** Unit codes, trimmed, each non-empty and at most a name long, no repeats. */
function ComplainedUnitsField(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'string' ? item.trim() : item)) : value,
    ),
    IsArray({ message: '$property must be an array' }),
    ArrayMaxSize(MAX_COMPLAINED_UNITS, { message: '$property must contain at most $constraint1 units' }),
    IsString({ each: true, message: 'every item of $property must be a string' }),
    IsNotEmpty({ each: true, message: 'every item of $property must not be empty' }),
    MaxLength(MAX_LENGTH.name, { each: true, message: 'every item of $property must be at most $constraint1 characters long' }),
    ArrayUnique({ message: '$property must not repeat a unit' }),
    ApiPropertyOptional({
      type: [String],
      maxItems: MAX_COMPLAINED_UNITS,
      uniqueItems: true,
      description:
        'Codes of the units the petition complains about (被反映单位). The petition is not dispatched to any of them unless a supervisor or admin overrides with a reason (`overrideReason` on dispatch), and no unit user ever sees the petitioner (信访人信息保密)',
      example: ['城市管理科'],
    }),
  );
}

/** Body of `POST /api/petitions`: a petition (信访事项) enters as `registered`. */
export class RegisterPetitionDto extends IntakeBodyDto {
  @EnumField(PETITION_CHANNELS, {
    enumName: 'PetitionChannel',
    description: 'How the petition came in (信访形式): visit 来访, letter 来信, phone 来电, online 网上信访, transferred 上级转交',
    example: 'visit',
  })
  readonly channel: PetitionChannel;

  @NestedField(() => PetitionerDto, { description: 'The petitioner (信访人)', personalData: true })
  readonly petitioner: PetitionerDto;

  @ComplainedUnitsField()
  readonly complainedUnits?: string[];
}

/** Body of `POST /api/hotline-tickets`: a 12345 ticket (12345 工单) enters already `accepted`. */
export class ReceiveHotlineTicketDto extends IntakeBodyDto {
  @TextField({
    maxLength: MAX_LENGTH.platformTicketNo,
    description: 'Ticket number on the 12345 platform (平台工单号); a second intake with the same number returns the existing case',
    example: '2026030212345001',
  })
  readonly platformTicketNo: string;

  @EnumField(URGENCIES, {
    enumName: 'Urgency',
    description: 'Urgency given by the platform (紧急程度): normal 一般, urgent 紧急',
    example: 'normal',
  })
  readonly urgency: Urgency;

  @NestedField(() => CallerDto, { optional: true, description: 'The caller (来电人)', personalData: true })
  readonly caller?: CallerDto;

  @DateTimeField({
    optional: true,
    description: 'Resolve deadline set by the platform (平台办结时限); without it the policy default applies',
    example: '2026-03-09T18:00:00+08:00',
  })
  readonly platformDeadline?: string;
}

/** Body of `POST /api/disputes`: a dispute (矛盾纠纷) enters as `registered`. */
export class RegisterDisputeDto extends IntakeBodyDto {
  @EnumField(DISPUTE_SOURCES, {
    enumName: 'DisputeSource',
    description: 'Where the dispute was found (来源): screening 排查, grid 网格员上报, walk-in 来访, referral 移交',
    example: 'screening',
  })
  readonly source: DisputeSource;

  @NestedArrayField(() => DisputePartyDto, {
    minItems: 1,
    description: 'The parties (当事人), at least one',
    personalData: true,
  })
  readonly parties: DisputePartyDto[];
}
