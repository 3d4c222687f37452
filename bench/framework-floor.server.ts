import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ReceiveHotlineTicketDto } from '../apps/case-service/src/cases/http/dto';
import { ProblemDetailsFilter } from '../apps/case-service/src/http/problem-details';
import { ProblemValidationPipe } from '../apps/case-service/src/http/validation.pipe';
import { FIXED_BODY } from './fixed-body';

/**
 * The least a Nest application of this service can do, on the HTTP adapter named by the first
 * argument (`express` or `fastify`): one controller, the service's global validation pipe and
 * problem-details filter, nothing else (no logger, metrics, helmet, sign-in or store). GET /floor
 * answers a fixed JSON body; POST /floor validates a hotline ticket against the intake's own DTO.
 * Started by bench/framework-floor.bench.ts, listening on PORT.
 */

@Controller('floor')
class FloorController {
  @Get()
  fixed(): unknown {
    return FIXED_BODY;
  }

  @Post()
  @HttpCode(201)
  validated(@Body() body: ReceiveHotlineTicketDto): { platformTicketNo: string } {
    return { platformTicketNo: body.platformTicketNo };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function main(): Promise<void> {
  const adapter = process.argv[2];
  let app: INestApplication;
  if (adapter === 'fastify') app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), { logger: false });
  else if (adapter === 'express') app = await NestFactory.create<NestExpressApplication>(FloorModule, { logger: false });
  else throw new Error(`usage: framework-floor.server <express|fastify>, not '${adapter}'`);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(new ProblemValidationPipe());
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
