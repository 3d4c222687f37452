import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { changePassword, endSessions } from '@cases/domain';
import type { Request } from 'express';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { Public } from './auth.decorators';
import { ChangePasswordDto, LoginDto, RefreshDto, TokenPairDto, UserDto } from './auth.dto';
import { actorOf } from './auth.guard';
import { AuthService, UnauthenticatedError } from './auth.service';
import { DirectoryService } from './directory.service';
import { hashPassword, verifyPassword } from './password-hasher';
import { toUserDto } from './users.controller';
import { LoginThrottlerGuard } from './login-throttler.guard';

const UNAUTHENTICATED = { status: 401, description: 'No valid access token' };

@ApiTags('sign-in')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly directory: DirectoryService,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in with username and password',
    description: 'Rate-limited per address and per username (429 with Retry-After).',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(BAD_REQUEST, { status: 401, description: 'Wrong username or password' }, { status: 429, description: 'Too many attempts' })
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.auth.login(body.username, body.password);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ operationId: 'refresh', summary: 'A new token pair for a valid refresh token' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(BAD_REQUEST, UNAUTHENTICATED)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'logout', summary: 'End every session of the signed-in user' })
  @ApiNoContentResponse({ description: 'Every access and refresh token of the user is revoked' })
  @ApiProblems(UNAUTHENTICATED)
  async logout(@Req() req: Request): Promise<void> {
    const actor = actorOf(req);
    await this.directory.change(actor, (directory) => endSessions(directory, actor.id));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'me', summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(UNAUTHENTICATED)
  async me(@Req() req: Request): Promise<UserDto> {
    const user = (await this.directory.current()).users.get(actorOf(req).id);
    if (user === undefined) throw new UnauthenticatedError();
    return toUserDto(user);
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'changePassword', summary: 'Change the signed-in user’s password; ends all their sessions' })
  @ApiNoContentResponse({ description: 'Changed; sign in again with the new password' })
  @ApiProblems(BAD_REQUEST, UNAUTHENTICATED)
  async changePassword(@Req() req: Request, @Body() body: ChangePasswordDto): Promise<void> {
    const actor = actorOf(req);
    const user = (await this.directory.fresh()).users.get(actor.id);
    if (user === undefined || !(await verifyPassword(body.currentPassword, user.passwordHash))) {
      throw new UnauthenticatedError('The current password is wrong');
    }
    const passwordHash = await hashPassword(body.newPassword);
    await this.directory.change(actor, (directory) => changePassword(directory, actor.id, passwordHash));
  }
}
