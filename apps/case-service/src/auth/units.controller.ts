import { Body, Controller, Get, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { changeUnit, registerUnit, type Unit } from '@cases/domain';
import type { Request } from 'express';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { Roles } from './auth.decorators';
import { CreateUnitDto, UnitDto, UpdateUnitDto } from './auth.dto';
import { actorOf } from './auth.guard';
import { DirectoryService } from './directory.service';

const UNAUTHENTICATED = { status: 401, description: 'No valid access token' };
const ADMIN_ONLY = { status: 403, description: 'Only an admin manages units' };

/** The directory of handling units (社区、科室、站所) that cases are dispatched to. */
@ApiTags('users and units')
@ApiBearerAuth()
@Controller('api/units')
export class UnitsController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ApiOperation({ operationId: 'listUnits', summary: 'Every unit, inactive ones included' })
  @ApiOkResponse({ type: [UnitDto] })
  @ApiProblems(UNAUTHENTICATED)
  async list(): Promise<UnitDto[]> {
    return [...(await this.directory.current()).units.values()];
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'createUnit', summary: 'Add a unit' })
  @ApiCreatedResponse({ type: UnitDto })
  @ApiProblems(BAD_REQUEST, UNAUTHENTICATED, ADMIN_ONLY, { status: 409, description: 'The code is taken' })
  async create(@Req() req: Request, @Body() body: CreateUnitDto): Promise<UnitDto> {
    const directory = await this.directory.change(actorOf(req), (current) => registerUnit(current, { ...body }));
    return directory.units.get(body.code) as Unit;
  }

  @Patch(':code')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateUnit', summary: 'Rename a unit, change its type, or (de)activate it' })
  @ApiOkResponse({ type: UnitDto })
  @ApiProblems(BAD_REQUEST, UNAUTHENTICATED, ADMIN_ONLY, { status: 404, description: 'No such unit' })
  async update(@Req() req: Request, @Param('code') code: string, @Body() body: UpdateUnitDto): Promise<UnitDto> {
    const directory = await this.directory.change(actorOf(req), (current) => changeUnit(current, code, { ...body }));
    return directory.units.get(code) as Unit;
  }
}
