import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { registerUnit, registerUser, UNIT_TYPES, type Actor, type DirectoryEvent, type UnitType } from '@cases/domain';
import { APP_CONFIG, ConfigError, type AppConfig } from '../config/app-config';
import { DirectoryService } from './directory.service';
import { hashPassword } from './password-hasher';

/** Who the first start records the seeded directory as. */
const SETUP_ACTOR: Actor = { id: 'setup', role: 'system' };

/**
 * On the first start with an empty directory: the units from UNITS_FILE (config/units.json by
 * default) and the `admin` user with CASES_ADMIN_PASSWORD, or a generated password printed once.
 */
@Injectable()
export class DirectorySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Directory');

  constructor(
    private readonly directory: DirectoryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Each step decides again on the freshest directory when its append conflicts, so instances
   * starting together on one empty store seed it once: the one that comes second finds the units
   * or the admin already there and records nothing.
   */
  async onApplicationBootstrap(): Promise<void> {
    const current = await this.directory.fresh();
    if (current.units.size === 0) {
      const units = readUnitsFile(this.config.unitsFile);
      let seeded = false;
      await this.directory.change(SETUP_ACTOR, (directory) => {
        seeded = directory.units.size === 0;
        return seeded ? units.reduce<DirectoryEvent[]>((events, unit) => [...events, ...registerUnit(directory, unit)], []) : [];
      });
      if (seeded) this.logger.log(`Seeded ${units.length} units from ${this.config.unitsFile}`);
    }
    if (current.users.size === 0) {
      const password = this.config.auth.adminPassword ?? randomBytes(12).toString('base64url');
      const passwordHash = await hashPassword(password);
      let created = false;
      await this.directory.change(SETUP_ACTOR, (directory) => {
        created = directory.users.size === 0;
        return created ? registerUser(directory, { username: 'admin', displayName: '管理员', role: 'admin', passwordHash }) : [];
      });
      if (!created) return;
      if (this.config.auth.adminPassword === undefined) {
        // Printed once, on the start that created the user; never logged again.
        process.stdout.write(`\nCreated user 'admin' with the generated password: ${password}\nChange it after signing in.\n\n`);
      } else {
        this.logger.log("Created user 'admin' with the password in CASES_ADMIN_PASSWORD");
      }
    }
  }
}

interface UnitEntry {
  code: string;
  name: string;
  type: UnitType;
}

function readUnitsFile(file: string): UnitEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('UNITS_FILE', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const units = (parsed as { units?: unknown }).units;
  if (!Array.isArray(units)) throw new ConfigError('UNITS_FILE', `${file} must hold { "units": [{ "code", "name", "type" }] }`);
  return units.map((unit: Partial<UnitEntry>, index) => {
    if (typeof unit.code !== 'string' || typeof unit.name !== 'string' || !UNIT_TYPES.includes(unit.type as UnitType)) {
      throw new ConfigError('UNITS_FILE', `units.${index} needs a code, a name and a type (${UNIT_TYPES.join(', ')})`);
    }
    return { code: unit.code, name: unit.name, type: unit.type as UnitType };
  });
}
