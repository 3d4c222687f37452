import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../apps/case-service/src/config/app-config';

/**
 * No Docker engine runs where the tests run, so docker/ is checked by reading it: every variable
 * the compose files (and the image) set for the service must be one the service's configuration
 * reads, with values it accepts; and the stack has the shape the README promises.
 *
 * "Reads" is observed, not listed: `loadConfig` (which takes the Kafka settings too) runs over
 * the compose file's environment through a proxy that records every variable it looks up. A
 * variable set but never looked up would be silently ignored by the service, so it fails here.
 */

const dockerDir = join(__dirname, '..', 'docker');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function readCompose(name: string): ComposeFile {
  // Compose files use YAML merge keys (`<<: *anchor`) for what the replicas share.
  return parse(readFileSync(join(dockerDir, name), 'utf8'), { merge: true }) as ComposeFile;
}

/** What docker/.env would supply: values of the shape each secret must have. */
const ENV_FILE: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
  CASES_JWT_SECRET: randomBytes(32).toString('hex'),
  CASES_MASTER_KEY: randomBytes(32).toString('base64'),
  CASES_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  KAFKA_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
};

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, from ENV_FILE. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_match, name: string, operator?: string, rest?: string) => {
    const supplied = ENV_FILE[name];
    if (supplied !== undefined) return supplied;
    if (operator === ':-') return rest ?? '';
    throw new Error(`docker compose would stop: ${name} is not set (${rest ?? 'no default'})`);
  });
}

function environmentOf(service: ComposeService): Record<string, string> {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((entry) => {
        const [name, ...value] = entry.split('=');
        return [name, value.join('=')] as const;
      })
    : Object.entries(raw).map(([name, value]) => [name, value === null ? '' : String(value)] as const);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(value)]));
}

/** The case-service replicas: the services built from docker/Dockerfile. */
function caseServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, service]) => service.build?.dockerfile === 'docker/Dockerfile');
}

/** The image's own ENV lines (the compose environment comes on top of them). */
function dockerfileEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(join(dockerDir, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const environment: Record<string, string> = {};
  for (const line of dockerfile.split('\n').filter((text) => /^ENV\s/.test(text))) {
    for (const [, name, value] of line.slice(4).matchAll(/([A-Z0-9_]+)=(\S+)/g)) environment[name] = value;
  }
  return environment;
}

/** Runs loadConfig over `env` and answers the variables it looked up. */
function variablesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
  });
  loadConfig(recording);
  return read;
}

/** Node and its libraries read NODE_ENV; the service's configuration does not. */
const NOT_SERVICE_CONFIGURATION = new Set(['NODE_ENV']);

describe('docker/compose.yaml', () => {
  const compose = readCompose('compose.yaml');

  it('runs two replicas of the service, each with its own DATA_DIR volume', () => {
    const replicas = caseServices(compose);
    expect(replicas.map(([name]) => name)).toEqual(['case-service-1', 'case-service-2']);
    const dataVolumes = replicas.map(([, service]) => service.volumes?.find((volume) => volume.endsWith(':/data')));
    expect(dataVolumes).toEqual(['case-data-1:/data', 'case-data-2:/data']);
    for (const volume of dataVolumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume?.split(':')[0]);
  });

  it('sets only variables the service configuration reads, with values it accepts', () => {
    for (const [name, service] of caseServices(compose)) {
      const env = { ...dockerfileEnvironment(), ...environmentOf(service) };
      const read = variablesRead(env);
      const unread = Object.keys(env).filter((variable) => !read.has(variable) && !NOT_SERVICE_CONFIGURATION.has(variable));
      expect({ service: name, unread }).toEqual({ service: name, unread: [] });
      const config = loadConfig(env);
      expect(config).toMatchObject({ eventStore: 'kurrentdb', readModels: 'sqlite', dataDir: '/data', port: 3000 });
      expect(config.kurrentDbUrl).toBe('kurrentdb://kurrentdb:2113?tls=false');
      expect(config.databaseUrl).toBe(`postgres://cases:${ENV_FILE.POSTGRES_PASSWORD}@postgres:5432/cases`);
    }
  });

  it('gives every replica the same settings and secrets (from docker/.env); the relay runs where the lease is held', () => {
    const [first, second] = caseServices(compose).map(([, service]) => environmentOf(service));
    expect(second).toEqual(first);
    // Both may relay: a lease on the shared database lets one publish at a time (docs/decisions/0011).
    expect(loadConfig(first).kafka?.relay).toBe(true);
    for (const secret of ['CASES_JWT_SECRET', 'CASES_MASTER_KEY', 'CASES_ADMIN_PASSWORD', 'KAFKA_PSEUDONYM_KEY']) {
      expect(first[secret]).toBe(ENV_FILE[secret]);
    }
  });

  it('lists in docker/env.example every variable the compose files need from docker/.env', () => {
    const example = readFileSync(join(dockerDir, 'env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map(([, name]) => name));
    const texts = ['compose.yaml', 'compose.kurrentdb-cluster.yaml'].map((file) => readFileSync(join(dockerDir, file), 'utf8'));
    const needed = new Set(texts.flatMap((text) => [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map(([, name]) => name)));
    expect([...needed].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('starts the replicas after healthy stores, and the second after the first', () => {
    for (const [name, service] of caseServices(compose)) {
      const dependsOn = service.depends_on as Record<string, { condition?: string }>;
      for (const store of ['kurrentdb', 'postgres', 'kafka'])
        expect({ name, store, ...dependsOn[store] }).toEqual({ name, store, condition: 'service_healthy' });
    }
    expect((compose.services['case-service-2'].depends_on as Record<string, { condition?: string }>)['case-service-1']).toEqual({
      condition: 'service_healthy',
    });
  });

  it('puts nginx in front of both replicas', () => {
    const proxy = compose.services.proxy;
    expect(proxy.image).toMatch(/^nginx:/);
    expect(proxy.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    const nginx = readFileSync(join(dockerDir, 'nginx.conf'), 'utf8');
    const upstream = /upstream case_service \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect([...upstream.matchAll(/server ([\w-]+):(\d+)/g)].map(([, host, port]) => `${host}:${port}`)).toEqual([
      'case-service-1:3000',
      'case-service-2:3000',
    ]);
    expect(nginx).toMatch(/proxy_pass http:\/\/case_service;/);
  });

  it('runs KurrentDB 25.1 or later, PostgreSQL, and Kafka in KRaft mode, each with a volume and a health check', () => {
    const [major, minor] = (compose.services.kurrentdb.image?.split(':')[1] ?? '').split('.').map(Number);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(2501);
    const kafka = environmentOf(compose.services.kafka);
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
    expect(Object.keys(kafka).filter((name) => name.includes('ZOOKEEPER'))).toEqual([]);
    for (const name of ['kurrentdb', 'postgres', 'kafka', 'proxy']) {
      expect({ name, healthcheck: Boolean(compose.services[name].healthcheck?.test) }).toEqual({ name, healthcheck: true });
    }
    for (const name of ['kurrentdb', 'postgres', 'kafka']) {
      const volume = compose.services[name].volumes?.[0]?.split(':')[0];
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    }
  });
});

describe('docker/compose.kurrentdb-cluster.yaml', () => {
  const base = readCompose('compose.yaml');
  const cluster = readCompose('compose.kurrentdb-cluster.yaml');

  it('makes three KurrentDB nodes of 25.1 or later that seed gossip from each other', () => {
    const nodes = ['kurrentdb', 'kurrentdb-2', 'kurrentdb-3'];
    for (const name of nodes) {
      const node = cluster.services[name];
      expect(node.image).toBe(base.services.kurrentdb.image);
      const env = environmentOf(node);
      expect(env.KURRENTDB_CLUSTER_SIZE).toBe('3');
      expect(env.KURRENTDB_NODE_HOST_ADVERTISE_AS).toBe(name);
      expect(env.KURRENTDB_GOSSIP_SEED.split(',').sort()).toEqual(
        nodes
          .filter((other) => other !== name)
          .map((other) => `${other}:2113`)
          .sort(),
      );
    }
  });

  it('points both replicas at the cluster with a setting the configuration reads and accepts', () => {
    for (const name of ['case-service-1', 'case-service-2']) {
      const merged = { ...dockerfileEnvironment(), ...environmentOf(base.services[name]), ...environmentOf(cluster.services[name]) };
      const read = variablesRead(merged);
      expect(Object.keys(environmentOf(cluster.services[name])).filter((variable) => !read.has(variable))).toEqual([]);
      expect(loadConfig(merged).kurrentDbUrl).toBe('kurrentdb+discover://kurrentdb:2113,kurrentdb-2:2113,kurrentdb-3:2113?tls=false');
    }
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(dockerDir, 'Dockerfile'), 'utf8');

  it('builds and runs on Node.js 24, as a user other than root, with production dependencies only', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(([, image]) => image);
    expect(stages.filter((image) => image.startsWith('node:') && !image.startsWith('node:24'))).toEqual([]);
    expect(stages.at(-1)).toBe('${NODE_IMAGE}');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).toContain('COPY --from=production-dependencies /app/node_modules ./node_modules');
    expect(dockerfile).toMatch(/FROM toolchain AS production-dependencies\nRUN npm ci --omit=dev/);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
  });

  it('ships the compiled service and the built console, where the service looks for them', () => {
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
    // serve-console.ts looks for apps/console/dist beside the package.json above the compiled code.
    expect(finalStage).toContain('COPY --from=build /app/apps/console/dist ./apps/console/dist');
    expect(finalStage).toMatch(/^COPY package\.json \.\/$/m);
    expect(finalStage).toMatch(/^CMD \["node", "dist\/apps\/case-service\/src\/main\.js"\]$/m);
  });

  it('checks its health on GET /health', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*fetch\('http:\/\/127\.0\.0\.1:' \+ \(process\.env\.PORT \|\| 3000\) \+ '\/health'\)/m);
  });
});
