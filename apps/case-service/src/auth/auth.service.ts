import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ServiceError, type Actor, type User } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DirectoryService } from './directory.service';
import { DECOY_HASH, verifyPassword } from './password-hasher';

/** What a token says: who, in which role and unit, issued in which session epoch. */
interface TokenClaims {
  sub: string;
  role: User['role'];
  unit?: string;
  /** The user's session epoch when the token was issued; a later epoch revokes it. */
  ep: number;
  typ: 'access' | 'refresh';
  /** Expiry, in seconds since the epoch (set on every token this service issues). */
  exp?: number;
}

/** Most tokens remembered; past it the oldest is forgotten (and checked again if it comes back). */
const MAX_VERIFIED_TOKENS = 10_000;

/** Tokens whose signature was checked, with their claims, until they expire; bounded. */
class VerifiedTokens {
  private readonly claims = new Map<string, TokenClaims & { exp: number }>();

  /** The token's claims while it is unexpired, by the same rule as jsonwebtoken (expired at `exp` itself). */
  get(token: string): TokenClaims | undefined {
    const claims = this.claims.get(token);
    if (claims === undefined) return undefined;
    if (Math.floor(Date.now() / 1000) < claims.exp) return claims;
    this.claims.delete(token);
    return undefined;
  }

  remember(token: string, claims: TokenClaims): void {
    // A token without an expiry is not one this service issued for a session: never remembered.
    if (typeof claims.exp !== 'number') return;
    if (this.claims.size >= MAX_VERIFIED_TOKENS) this.claims.delete(this.claims.keys().next().value as string);
    this.claims.set(token, { ...claims, exp: claims.exp });
  }
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token lives. */
  expiresIn: number;
}

/** 401: no token, or one that is expired, tampered with, wrongly signed or revoked. The answer never says which. */
export class UnauthenticatedError extends ServiceError {
  constructor(message = 'Sign in first: send a valid access token as `Authorization: Bearer <token>`') {
    super('AUTH.UNAUTHENTICATED', 401, 'Unauthenticated', message);
  }
}

export class ForbiddenRoleError extends ServiceError {
  constructor(roles: readonly string[]) {
    super('AUTH.FORBIDDEN', 403, 'Forbidden', `This needs one of the roles ${roles.join(', ')}`, { roles });
  }
}

/**
 * Sign-in and sessions (docs/security.md): short-lived signed access tokens, longer refresh tokens,
 * and revocation by session epoch, so logout, a password change, a role or unit change and
 * disabling a user end every session of that user at once.
 */
@Injectable()
export class AuthService {
  /**
   * Checking a token's signature is most of what authenticating a request costs, and a client
   * sends the same token with every request until it expires. A token checked once is known good
   * until its `exp`; revocation (the session epoch, an inactive user) is still checked on every
   * request, against the directory.
   */
  private readonly verifiedTokens = new VerifiedTokens();

  constructor(
    private readonly jwt: JwtService,
    private readonly directory: DirectoryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string): Promise<TokenPair> {
    const user = (await this.directory.fresh()).users.get(username);
    // The same work whether the user exists or not, so the answer's timing tells nothing.
    const matches = await verifyPassword(password, user?.passwordHash ?? DECOY_HASH);
    if (user === undefined || !matches || !user.active) throw new UnauthenticatedError('Wrong username or password');
    return this.issue(user);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    return this.issue(await this.verify(refreshToken, 'refresh'));
  }

  /** The actor an access token stands for; throws 401 when it stands for nobody any more. */
  async actorFor(accessToken: string): Promise<Actor> {
    const user = await this.verify(accessToken, 'access');
    return { id: user.username, role: user.role, ...(user.unit !== undefined && { unit: user.unit }) };
  }

  private async verify(token: string, type: TokenClaims['typ']): Promise<User> {
    const claims = this.verifiedTokens.get(token) ?? (await this.checkSignature(token));
    if (claims.typ !== type) throw new UnauthenticatedError();
    const user = (await this.directory.current()).users.get(claims.sub);
    if (user === undefined || !user.active || user.sessionEpoch !== claims.ep) throw new UnauthenticatedError();
    return user;
  }

  /** The claims of a correctly signed, unexpired token, remembered for the next request that sends it. */
  private async checkSignature(token: string): Promise<TokenClaims> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthenticatedError();
    }
    this.verifiedTokens.remember(token, claims);
    return claims;
  }

  private async issue(user: User): Promise<TokenPair> {
    const claims = { sub: user.username, role: user.role, ...(user.unit !== undefined && { unit: user.unit }), ep: user.sessionEpoch };
    const [accessToken, refreshToken] = await Promise.all([
      this.jwt.signAsync({ ...claims, typ: 'access' }, { expiresIn: this.config.auth.accessTokenTtlSeconds }),
      this.jwt.signAsync({ ...claims, typ: 'refresh' }, { expiresIn: this.config.auth.refreshTokenTtlSeconds }),
    ]);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.config.auth.accessTokenTtlSeconds };
  }
}
