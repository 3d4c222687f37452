import { Body, Controller, Get, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { changePassword, changeUser, registerUser, type User } from '@cases/domain';
import type { Request } from 'express';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { Roles } from './auth.decorators';
import { CreateUserDto, UpdateUserDto, UserDto } from './auth.dto';
import { actorOf } from './auth.guard';
import { DirectoryService } from './directory.service';
import { hashPassword } from './password-hasher';

export function toUserDto(user: User): UserDto {
  return {
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    ...(user.unit !== undefined && { unit: user.unit }),
    active: user.active,
  };
}

const ADMIN_PROBLEMS = ApiProblems(
  BAD_REQUEST,
  { status: 401, description: 'No valid access token' },
  { status: 403, description: 'Only an admin manages users' },
);

/** Users are managed by admins; every change is an event of the directory stream. */
@ApiTags('users and units')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'Every user, disabled ones included' })
  @ApiOkResponse({ type: [UserDto] })
  @ADMIN_PROBLEMS
  async list(): Promise<UserDto[]> {
    return [...(await this.directory.current()).users.values()].map(toUserDto);
  }

  @Post()
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user (a unit user names their unit’s code)' })
  @ApiCreatedResponse({ type: UserDto })
  @ADMIN_PROBLEMS
  @ApiProblems(
    { status: 409, description: 'The username is taken' },
    { status: 422, description: 'Unknown or inactive unit, or a unit on a non-unit role' },
  )
  async create(@Req() req: Request, @Body() body: CreateUserDto): Promise<UserDto> {
    const passwordHash = await hashPassword(body.password);
    const { password: _password, ...user } = body;
    const directory = await this.directory.change(actorOf(req), (current) => registerUser(current, { ...user, passwordHash }));
    return toUserDto(directory.users.get(body.username) as User);
  }

  @Patch(':username')
  @ApiOperation({ operationId: 'updateUser', summary: 'Change a user’s name, role, unit, password or active flag' })
  @ApiOkResponse({ type: UserDto })
  @ADMIN_PROBLEMS
  @ApiProblems({ status: 404, description: 'No such user' }, { status: 422, description: 'Unknown or inactive unit' })
  async update(@Req() req: Request, @Param('username') username: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    const { password, ...change } = body;
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const directory = await this.directory.change(actorOf(req), (current) => [
      ...changeUser(current, username, change),
      ...(passwordHash === undefined ? [] : changePassword(current, username, passwordHash)),
    ]);
    return toUserDto(directory.users.get(username) as User);
  }
}
