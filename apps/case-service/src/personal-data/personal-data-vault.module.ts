import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PERSON_KEY_STORE, PersonalDataVault, type PersonKeyStore } from '@cases/personal-data';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { loadMasterKey } from './master-key';
import { openPersonKeyStore } from './person-key-store.provider';

/**
 * The key store and the vault that seals and opens personal data (SPEC §7), for the command
 * pipeline (sealing) and the views (opening) alike. The master key is read once, at start: a
 * missing or malformed one stops the start.
 */
@Global()
@Module({
  providers: [
    { provide: PERSON_KEY_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openPersonKeyStore(config) },
    {
      provide: PersonalDataVault,
      inject: [APP_CONFIG, PERSON_KEY_STORE],
      useFactory: (config: AppConfig, keys: PersonKeyStore) => new PersonalDataVault(loadMasterKey(config), keys),
    },
  ],
  exports: [PERSON_KEY_STORE, PersonalDataVault],
})
export class PersonalDataVaultModule implements OnApplicationShutdown {
  constructor(@Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.keys.close();
  }
}
