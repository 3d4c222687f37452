import { createSecretKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DirectorySeeder } from './directory-seeder';
import { DirectoryService } from './directory.service';
import { LoginThrottlerGuard } from './login-throttler.guard';
import { UnitsController } from './units.controller';
import { UsersController } from './users.controller';

/**
 * The key access and refresh tokens are signed with: CASES_JWT_SECRET, or in the embedded default
 * a random one generated on first start into DATA_DIR, readable by the service's user only.
 * Production supplies it from a secret store, the same for every instance.
 */
function signingSecret(config: AppConfig): string {
  if (config.auth.jwtSecret !== undefined) return config.auth.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject, not a string: jsonwebtoken otherwise tries the string as a PEM key on every verification.
      useFactory: (config: AppConfig) => ({
        secret: createSecretKey(Buffer.from(signingSecret(config))),
        signOptions: { algorithm: 'HS256' },
      }),
    }),
    // Sign-in attempts per minute, counted per client address and per username.
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => [
        {
          name: 'address',
          ttl: 60_000,
          limit: config.auth.loginAttemptsPerMinute * 4,
          getTracker: (req: Record<string, unknown>) => String(req.ip ?? 'unknown'),
        },
        {
          name: 'user',
          ttl: 60_000,
          limit: config.auth.loginAttemptsPerMinute,
          getTracker: (req: Record<string, unknown>) => String((req.body as { username?: unknown } | undefined)?.username ?? ''),
        },
      ],
    }),
  ],
  controllers: [AuthController, UsersController, UnitsController],
  providers: [DirectoryService, AuthService, DirectorySeeder, LoginThrottlerGuard, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [DirectoryService, AuthService],
})
export class AuthModule {}
