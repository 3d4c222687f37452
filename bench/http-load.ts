import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freePort } from '../test/support/child-service';
import { formatCount, formatRate, percentile, perSecond } from './bench-support';
import { FIXED_BODY } from './fixed-body';

/**
 * HTTP load for the benchmarks: autocannon phases that keep every 2xx latency (so percentiles
 * are exact, not autocannon's bucketed ones), their summaries, and servers started as child
 * processes so the load generator never shares an event loop with the server it measures.
 */

export interface LoadTarget {
  /** What the summary line calls it. */
  label: string;
  url: string;
  requests: autocannon.Request[];
  /** The status every answer should have (a 404 route's 404); any 2xx when absent. */
  expectedStatus?: number;
  /** The server's process: its CPU time during the phase is read from /proc (Linux). */
  serverPid?: number;
}

export interface PhaseOutcome {
  label: string;
  elapsedMs: number;
  /** Latency of every answer with the expected status, in ms. */
  latenciesMs: number[];
  /** Answers with another status. */
  unexpected: number;
  errors: number;
  /** CPU time (user + system, all threads) the server process spent during the phase, in ms; NaN without `serverPid`. */
  serverCpuMs: number;
  /** CLOCK_MONOTONIC in µs, the clock of a V8 CPU profile: which samples of a child's profile fall in this phase. */
  startedUs: number;
  endedUs: number;
}

export interface LoadSummary {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers with the expected status: the only ones the rate and the percentiles count. */
  answered: number;
  unexpected: number;
  errors: number;
  /** The server's CPU time per expected answer, in ms: what a request costs, whatever else runs on the machine. */
  cpuMsPerRequest: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  timeoutSeconds: number;
  /** Requests per second offered across all connections (open loop); as fast as answers come back when absent. */
  overallRate?: number;
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

let clockTicksPerSecond: number | undefined;

/** User + system CPU time of a process so far (all its threads), in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/** One autocannon run against one target. */
export function runPhase(target: LoadTarget, options: LoadOptions): Promise<PhaseOutcome> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    let unexpected = 0;
    const expected = (status: number): boolean =>
      target.expectedStatus === undefined ? status >= 200 && status < 300 : status === target.expectedStatus;
    const startedUs = monotonicMicros();
    const cpuBefore = target.serverPid === undefined ? Number.NaN : processCpuMs(target.serverPid);
    const instance = autocannon(
      {
        url: target.url,
        connections: options.connections,
        duration: options.seconds,
        timeout: options.timeoutSeconds,
        ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
        requests: target.requests,
      },
      (error, result) => {
        if (error) reject(error);
        else
          resolve({
            label: target.label,
            elapsedMs: result.duration * 1000,
            latenciesMs,
            unexpected,
            errors: result.errors,
            serverCpuMs: target.serverPid === undefined ? Number.NaN : processCpuMs(target.serverPid) - cpuBefore,
            startedUs,
            endedUs: monotonicMicros(),
          });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (expected(statusCode)) latenciesMs.push(responseTimeMs);
      else unexpected += 1;
    });
  });
}

/**
 * Every target in turn, `rounds` times over, after an unmeasured warm-up of each: each target's
 * time is split into rounds interleaved with the others', so drift on a shared machine hits all
 * alike. Prints a line per phase and returns the phases.
 */
export async function runInterleaved(
  targets: readonly LoadTarget[],
  options: { connections: number; secondsPerTarget: number; rounds: number; warmUpSeconds: number; timeoutSeconds: number },
): Promise<PhaseOutcome[]> {
  const load = { connections: options.connections, timeoutSeconds: options.timeoutSeconds };
  for (const target of targets) await runPhase(target, { ...load, seconds: options.warmUpSeconds });
  const phases: PhaseOutcome[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      const phase = await runPhase(target, { ...load, seconds: options.secondsPerTarget / options.rounds });
      phases.push(phase);
      console.log(summaryLine(`  phase ${phases.length} ${target.label}`, summarise([phase])));
    }
  }
  return phases;
}

export function summarise(phases: readonly PhaseOutcome[]): LoadSummary {
  const latencies = Float64Array.from(phases.flatMap((phase) => phase.latenciesMs)).sort();
  const elapsedMs = phases.reduce((sum, phase) => sum + phase.elapsedMs, 0);
  return {
    requestsPerSecond: perSecond(latencies.length, elapsedMs),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    answered: latencies.length,
    unexpected: phases.reduce((sum, phase) => sum + phase.unexpected, 0),
    errors: phases.reduce((sum, phase) => sum + phase.errors, 0),
    cpuMsPerRequest: phases.reduce((sum, phase) => sum + phase.serverCpuMs, 0) / latencies.length,
  };
}

export function summariseTarget(phases: readonly PhaseOutcome[], label: string): LoadSummary {
  return summarise(phases.filter((phase) => phase.label === label));
}

export function summaryLine(label: string, summary: LoadSummary): string {
  return (
    `${label.padEnd(34)} ${formatRate(summary.requestsPerSecond).padStart(9)}  p50 ${summary.p50Ms.toFixed(2).padStart(6)} ms  ` +
    `p99 ${summary.p99Ms.toFixed(2).padStart(6)} ms  ${Number.isNaN(summary.cpuMsPerRequest) ? '' : `CPU ${summary.cpuMsPerRequest.toFixed(3)} ms/req  `}(${formatCount(summary.answered)} answered, ${summary.unexpected} unexpected status, ${summary.errors} errors)`
  );
}

/** Node's `http` and nothing else: a fixed JSON body for any request (its body read first), the floor under every framework. */
const BARE_SERVER_SOURCE = `
const body = Buffer.from(process.env.BARE_BODY);
require('node:http')
  .createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      response.end(body);
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 50;

/** A server running as a child process of the benchmark. */
export class ServerProcess {
  private exitCode: number | null | undefined;
  private output = '';
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-10_000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-10_000)));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  /** Node's bare `http` server answering FIXED_BODY. */
  static bare(): Promise<ServerProcess> {
    return ServerProcess.start(['-e', BARE_SERVER_SOURCE], { BARE_BODY: JSON.stringify(FIXED_BODY) }, '/');
  }

  /** `node <args>` with PORT set; resolves once `readyPath` answers 200. */
  static async start(args: string[], env: Record<string, string>, readyPath: string): Promise<ServerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (server.exitCode !== undefined)
        throw new Error(`${args.join(' ')} exited (${server.exitCode}) before it answered\n${server.output}`);
      try {
        const response = await fetch(`${server.url}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return server;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${args.join(' ')} did not answer 200 on ${readyPath} within ${READY_TIMEOUT_MS} ms\n${server.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The server process has no pid (spawn failed)');
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await this.exited;
  }
}
