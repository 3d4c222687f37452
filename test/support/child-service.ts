import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/**
 * Runs the compiled case service (`dist/`) as a separate process, the way it runs in production,
 * so a test or a benchmark can kill it with SIGKILL mid-request and start it again on the same
 * data folder. Shared by the crash-recovery suite and the benchmarks under `bench/`.
 */

const ENTRY_POINT = join('dist', 'apps', 'case-service', 'src', 'main.js');
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const HEALTH_POLL_INTERVAL_MS = 50;
const HEALTH_REQUEST_TIMEOUT_MS = 2_000;
/** Keeps the tail of the child's output for error messages without growing with a long run. */
const OUTPUT_TAIL_CHARS = 20_000;
/** Attempts at starting on a free port: another process may take the port between our check and the child's bind. */
const PORT_ATTEMPTS = 3;
/** The admin password every child service is started with; the harness signs in with it. */
export const CHILD_ADMIN_PASSWORD = 'child-service-admin-password';

export interface ChildServiceOptions {
  dataDir: string;
  /** Extra environment for the child (PORT and DATA_DIR are set by the harness). */
  env?: Record<string, string>;
  /** Flags for the child's `node` (e.g. `--cpu-prof`): some are refused in NODE_OPTIONS. */
  nodeFlags?: string[];
  /** Another build's entry point (a benchmark comparing two builds); `compiledServiceEntryPoint()` otherwise. */
  entryPoint?: string;
  /** How long to wait for /health to answer 200. */
  startTimeoutMs?: number;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HealthReport {
  status: string;
  store: { status: string; head?: number | string };
  readModels?: { projection: string; position: number | string; lag: number | string; rebuilding: boolean }[];
}

/** The repository root: the nearest folder above this file with a package.json (works from `test/` and from `dist/`). */
export function repositoryRoot(from: string = __dirname): string {
  let folder = from;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`No package.json above ${from}`);
    folder = parent;
  }
  return folder;
}

/**
 * The compiled service's entry point: `dist/`, or CASE_SERVICE_ENTRY when a build lives elsewhere
 * (a benchmark compiled into its own folder, so it does not overwrite the `dist/` others run);
 * fails with the command to run when the build is missing.
 */
export function compiledServiceEntryPoint(): string {
  const override = process.env.CASE_SERVICE_ENTRY;
  const entryPoint = override ? resolve(override) : join(repositoryRoot(), ENTRY_POINT);
  if (!existsSync(entryPoint)) {
    throw new Error(`The compiled service is missing (${entryPoint}): run \`npm run build\` first.`);
  }
  return entryPoint;
}

/** A TCP port that was free a moment ago: the service cannot report a port it chose itself (PORT=0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('Could not pick a free port'))));
    });
  });
}

export class ChildService {
  private outputTail = '';
  private exit: ChildExit | null = null;
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<ChildExit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
  ) {
    const keepTail = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Starts the compiled service on a free port over `dataDir` and resolves once /health answers 200. */
  static async start(options: ChildServiceOptions): Promise<ChildService> {
    const entryPoint = options.entryPoint === undefined ? compiledServiceEntryPoint() : resolve(options.entryPoint);
    let lastFailure: Error | undefined;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const port = await freePort();
      const child = spawn(process.execPath, [...(options.nodeFlags ?? []), entryPoint], {
        cwd: repositoryRoot(),
        env: {
          ...process.env,
          CASES_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD,
          ...options.env,
          PORT: String(port),
          DATA_DIR: options.dataDir,
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const service = new ChildService(child, port, options.dataDir);
      try {
        await service.waitUntilHealthy(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
        await service.signIn();
        return service;
      } catch (error) {
        await service.kill();
        lastFailure = error instanceof Error ? error : new Error(String(error));
        if (!service.output().includes('EADDRINUSE')) throw lastFailure;
      }
    }
    throw lastFailure ?? new Error('The service did not start');
  }

  private accessToken = '';

  /** Signs in as `admin`: every API call of the harness carries this header. */
  private async signIn(): Promise<void> {
    const response = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: CHILD_ADMIN_PASSWORD }),
      signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS * 5),
    }).catch((error: unknown) => {
      // The service answered /health a moment ago: what it printed says why it no longer answers.
      throw new Error(`Sign-in as admin failed (${String(error)}; process ${JSON.stringify(this.exit ?? 'running')})\n${this.outputTail}`);
    });
    if (response.status !== 200) throw new Error(`Sign-in as admin answered ${response.status}: ${await response.text()}`);
    this.accessToken = ((await response.json()) as { accessToken: string }).accessToken;
  }

  /** The Authorization header of the signed-in admin. */
  get authorization(): Record<string, string> {
    return { authorization: `Bearer ${this.accessToken}` };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The service process has no pid (spawn failed)');
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** The last part of what the service printed, for failure messages. */
  output(): string {
    return this.outputTail;
  }

  /** Kills the process without warning (no shutdown hooks run) and resolves once it is gone. */
  async kill(): Promise<ChildExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Asks the service to shut down (SIGTERM: shutdown hooks close the store) and resolves once it has exited. */
  async stop(timeoutMs: number = DEFAULT_STOP_TIMEOUT_MS): Promise<ChildExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The service (pid ${this.pid}) did not exit within ${timeoutMs} ms of SIGTERM\n${this.outputTail}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET /health, or null when the service does not answer (yet). */
  async health(): Promise<{ status: number; body: HealthReport } | null> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS) });
      return { status: response.status, body: (await response.json()) as HealthReport };
    } catch {
      return null;
    }
  }

  /** Polls /health until it answers 200; fails early when the process exits, and after `timeoutMs`. */
  async waitUntilHealthy(timeoutMs: number): Promise<HealthReport> {
    return this.pollHealth(timeoutMs, 'answer 200 on /health', (health) => health.status === 200);
  }

  /** Polls /health until every read model reports zero lag behind the log's head. */
  async waitUntilReadModelsCaughtUp(timeoutMs: number): Promise<HealthReport> {
    return this.pollHealth(
      timeoutMs,
      'report every read model caught up on /health',
      (health) =>
        health.status === 200 &&
        (health.body.readModels ?? []).length > 0 &&
        (health.body.readModels ?? []).every((model) => Number(model.lag) === 0 && !model.rebuilding),
    );
  }

  /** Peak resident memory of the process so far (VmHWM), in bytes; Linux only. */
  peakResidentBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    if (!match) throw new Error(`No VmHWM line in /proc/${this.pid}/status`);
    return Number(match[1]) * 1024;
  }

  private async pollHealth(
    timeoutMs: number,
    goal: string,
    reached: (health: { status: number; body: HealthReport }) => boolean,
  ): Promise<HealthReport> {
    const deadline = Date.now() + timeoutMs;
    let last: { status: number; body: HealthReport } | null = null;
    for (;;) {
      if (!this.running) {
        throw new Error(`The service exited (${JSON.stringify(this.exit)}) before it would ${goal}\n${this.outputTail}`);
      }
      last = await this.health();
      if (last !== null && reached(last)) return last.body;
      if (Date.now() >= deadline) {
        throw new Error(`The service did not ${goal} within ${timeoutMs} ms (last answer: ${JSON.stringify(last)})\n${this.outputTail}`);
      }
      // Wakes on the interval or as soon as the process exits, whichever is first.
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_INTERVAL_MS))]);
    }
  }
}
