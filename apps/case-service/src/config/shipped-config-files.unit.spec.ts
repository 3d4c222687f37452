import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KPI_DEFINITIONS, DEFAULT_POLICY_CONFIG, parseKpiDefinitions, parsePolicyConfig } from '@cases/domain';

// config/ ships the defaults as files for operators to copy and edit (POLICY_FILE, KPI_FILE):
// they must stay valid and equal to what the service uses when no file is given.
const configDir = join(__dirname, '..', '..', '..', '..', 'config');

describe('shipped configuration files', () => {
  it('config/deadline-policy.json is SPEC §3 default policy', () => {
    const file: unknown = JSON.parse(readFileSync(join(configDir, 'deadline-policy.json'), 'utf8'));
    expect(parsePolicyConfig(file)).toEqual(DEFAULT_POLICY_CONFIG);
  });

  it('config/kpi-definitions.json is SPEC §4 default KPI definitions', () => {
    const file: unknown = JSON.parse(readFileSync(join(configDir, 'kpi-definitions.json'), 'utf8'));
    expect(parseKpiDefinitions(file)).toEqual(DEFAULT_KPI_DEFINITIONS);
  });
});
