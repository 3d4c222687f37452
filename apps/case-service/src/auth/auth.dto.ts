import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { UNIT_TYPES, USER_ROLES } from '@cases/domain';
import { BooleanField, EnumField, TextField } from '../cases/http/dto/field-decorators';

/** Usernames and unit codes: short identifiers, never anything personal about a citizen. */
const IDENTIFIER = /^[\p{L}\p{N}._-]{1,64}$/u;
const IDENTIFIER_MESSAGE = '$property must be 1–64 letters, digits, dots, underscores or dashes';
/** At least 10 characters: long enough to resist guessing, short enough to type (docs/security.md). */
const PASSWORD_LENGTH = { min: 10, max: 200 };

export class LoginDto {
  @TextField({ maxLength: 64, description: 'Username', example: 'admin' })
  readonly username: string;

  @TextField({ maxLength: PASSWORD_LENGTH.max, description: 'Password', example: 'correct horse battery staple' })
  readonly password: string;
}

export class RefreshDto {
  @TextField({ maxLength: 4096, description: 'The refresh token of the last sign-in or refresh' })
  readonly refreshToken: string;
}

export class ChangePasswordDto {
  @TextField({ maxLength: PASSWORD_LENGTH.max, description: 'The current password' })
  readonly currentPassword: string;

  @TextField({ maxLength: PASSWORD_LENGTH.max, description: `The new password, at least ${PASSWORD_LENGTH.min} characters` })
  @Matches(new RegExp(`^.{${PASSWORD_LENGTH.min},}$`, 'su'), { message: `newPassword must be at least ${PASSWORD_LENGTH.min} characters` })
  readonly newPassword: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken: string;

  @ApiProperty({ description: 'Exchange at POST /api/auth/refresh for a new pair before the access token expires' })
  refreshToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ description: 'Seconds the access token lives', example: 900 })
  expiresIn: number;
}

export class CreateUserDto {
  @TextField({ maxLength: 64, description: 'Username (sign-in name)', example: 'wang.desk' })
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  readonly username: string;

  @TextField({ maxLength: 100, description: 'Name shown in the console', example: '王敏' })
  readonly displayName: string;

  @TextField({ maxLength: PASSWORD_LENGTH.max, description: `Initial password, at least ${PASSWORD_LENGTH.min} characters` })
  @Matches(new RegExp(`^.{${PASSWORD_LENGTH.min},}$`, 'su'), { message: `password must be at least ${PASSWORD_LENGTH.min} characters` })
  readonly password: string;

  @EnumField(USER_ROLES, { enumName: 'UserRole', description: 'desk 综治中心 · unit 承办单位 · supervisor 领导/督办 · admin 管理员' })
  readonly role: (typeof USER_ROLES)[number];

  @TextField({ optional: true, maxLength: 64, description: 'Code of the unit a `unit` user works for', example: 'xiaozhai' })
  readonly unit?: string;
}

export class UpdateUserDto {
  @TextField({ optional: true, maxLength: 100, description: 'Name shown in the console' })
  readonly displayName?: string;

  @EnumField(USER_ROLES, { optional: true, enumName: 'UserRole', description: 'New role; ends the user’s sessions' })
  readonly role?: (typeof USER_ROLES)[number];

  @TextField({ optional: true, maxLength: 64, description: 'Unit code for a `unit` user; ends the user’s sessions' })
  readonly unit?: string;

  @BooleanField({ optional: true, description: 'false disables the user and ends their sessions' })
  readonly active?: boolean;

  @TextField({ optional: true, maxLength: PASSWORD_LENGTH.max, description: 'Reset the password; ends the user’s sessions' })
  @Matches(new RegExp(`^.{${PASSWORD_LENGTH.min},}$`, 'su'), { message: `password must be at least ${PASSWORD_LENGTH.min} characters` })
  readonly password?: string;
}

export class UserDto {
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: USER_ROLES }) role: string;
  @ApiPropertyOptional() unit?: string;
  @ApiProperty() active: boolean;
}

export class CreateUnitDto {
  @TextField({ maxLength: 64, description: 'Unit code, what `dispatch { unit }` names', example: 'xiaozhai' })
  @Matches(IDENTIFIER, { message: IDENTIFIER_MESSAGE })
  readonly code: string;

  @TextField({ maxLength: 100, description: 'Name (社区、科室、站所)', example: '小寨社区' })
  readonly name: string;

  @EnumField(UNIT_TYPES, { enumName: 'UnitType', description: 'community 社区/村 · department 科室 · station 站所' })
  readonly type: (typeof UNIT_TYPES)[number];
}

export class UpdateUnitDto {
  @TextField({ optional: true, maxLength: 100, description: 'Name' })
  readonly name?: string;

  @EnumField(UNIT_TYPES, { optional: true, enumName: 'UnitType', description: 'Type' })
  readonly type?: (typeof UNIT_TYPES)[number];

  @BooleanField({ optional: true, description: 'false: no new dispatch may name it' })
  readonly active?: boolean;
}

export class UnitDto {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: UNIT_TYPES }) type: string;
  @ApiProperty() active: boolean;
}
