import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { repositoryRoot } from '../support/child-service';

/**
 * librdkafka's mock cluster (test/kafka-mock/mock-cluster.c) in a child process: a real Kafka
 * protocol peer over TCP for the suites, started per suite and killed after it. `down()` and
 * `up()` make the broker drop and refuse connections and then accept them again, keeping its
 * topics and messages, as a restarted broker keeps its log.
 *
 * The launcher also exits when its standard input closes, so a suite that dies without `stop()`
 * leaves no cluster running.
 *
 * Limits of the mock (librdkafka 2.0.2): no controller (so no CreateTopics and no idempotent
 * producer: topics are created by the launcher), no transactions, messages in memory only.
 */

// From the repository root, so the same code works from test/ and compiled into dist/ (the benchmark).
const FOLDER = join(repositoryRoot(__dirname), 'test', 'kafka-mock');
const LAUNCHER = join(FOLDER, '.build', 'mock-cluster');
const START_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

/** The four topics of SPEC §8 under their default names, with their partition counts. */
export const DEFAULT_TOPICS = ['gov12345.tickets:3', 'gov12345.tickets.dlq:1', 'gov12345.status:3', 'cases.events:3'] as const;

/** Builds the launcher when missing (installing librdkafka-dev as root); fails naming the fix otherwise. */
export function buildMockClusterLauncher(): string {
  try {
    execFileSync('bash', [join(FOLDER, 'build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`Could not build the Kafka mock cluster (test/kafka-mock/build.sh): ${stderr || String(error)}`);
  }
  if (!existsSync(LAUNCHER)) throw new Error(`test/kafka-mock/build.sh did not produce ${LAUNCHER}`);
  return LAUNCHER;
}

export class MockKafkaCluster {
  private readonly pendingLines: string[] = [];
  private readonly lineWaiters: ((line: string) => void)[] = [];
  private readonly exited: Promise<void>;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    /** The bootstrap list, `host:port` each. */
    readonly brokers: string[],
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(topics: readonly string[] = DEFAULT_TOPICS): Promise<MockKafkaCluster> {
    const launcher = buildMockClusterLauncher();
    const child = spawn(launcher, [...topics], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The Kafka mock cluster printed no bootstrap list within ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The Kafka mock cluster exited at start (code ${code}, signal ${signal}): ${stderr}`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
    });
    const cluster = new MockKafkaCluster(child, lines, first.split(','));
    child.stderr.on('data', (chunk: Buffer) => (cluster.stderrTail = (cluster.stderrTail + chunk.toString()).slice(-4000)));
    lines.on('line', (line) => {
      const waiter = cluster.lineWaiters.shift();
      if (waiter) waiter(line.trim());
      else cluster.pendingLines.push(line.trim());
    });
    return cluster;
  }

  /** The bootstrap list as `KAFKA_BROKERS` takes it. */
  get bootstrap(): string {
    return this.brokers.join(',');
  }

  /** The broker drops every connection and refuses new ones; topics and messages stay. */
  down(): Promise<void> {
    return this.command('down');
  }

  /** The broker accepts connections again. */
  up(): Promise<void> {
    return this.command('up');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    this.lines.close();
  }

  private async command(name: 'down' | 'up'): Promise<void> {
    const answer = new Promise<string>((resolve, reject) => {
      const pending = this.pendingLines.shift();
      if (pending !== undefined) return resolve(pending);
      const timer = setTimeout(
        () => reject(new Error(`The Kafka mock cluster did not answer '${name}': ${this.stderrTail}`)),
        COMMAND_TIMEOUT_MS,
      );
      this.lineWaiters.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
    this.child.stdin.write(`${name}\n`);
    const line = await answer;
    if (line !== `ok ${name}`) throw new Error(`The Kafka mock cluster answered '${line}' to '${name}'`);
  }
}
