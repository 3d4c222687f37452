import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { megabytes, positiveNumberFromEnv } from './bench-support';
import { ServerProcess, runInterleaved, summariseTarget, summaryLine, type LoadSummary, type LoadTarget } from './http-load';

/**
 * What the HTTP framework costs before the service does anything, and whether Nest's Fastify
 * adapter lowers it: three servers, each its own child process, driven interleaved in one run so
 * all see the same machine:
 *   - Node's bare `http` answering a fixed JSON body;
 *   - the least Nest application of this service (bench/framework-floor.server.ts: one controller,
 *     the global validation pipe and problem-details filter) on @nestjs/platform-express;
 *   - the same application on @nestjs/platform-fastify.
 * Each Nest server answers GET /floor (a fixed body) and POST /floor (a hotline ticket validated
 * against the intake's DTO). Rates, exact p50/p99 and the server's CPU time per request are printed.
 *
 *   npx tsc -p tsconfig.build.json --outDir .tmp/bench-dist
 *   TS_NODE_BASEURL=.tmp/bench-dist NODE_OPTIONS='-r tsconfig-paths/register' node .tmp/bench-dist/bench/framework-floor.bench.js
 *
 * (or, after nest build, `node dist/bench/framework-floor.bench.js`)
 *   BENCH_SECONDS (default 10)        per endpoint, in two interleaved phases
 */

const SECONDS_PER_ENDPOINT = positiveNumberFromEnv('BENCH_SECONDS', 10);
const CONNECTIONS = 50;
const ROUNDS = 2;
const WARM_UP_SECONDS = 1;
const REQUEST_TIMEOUT_SECONDS = 10;
const TICKET = JSON.stringify({
  platformTicketNo: 'FLOOR-1',
  title: '路灯不亮',
  description: '小寨路口路灯损坏，夜间行人不便',
  community: '小寨社区',
  urgency: 'normal',
});

function floorServer(adapter: 'express' | 'fastify'): Promise<ServerProcess> {
  return ServerProcess.start([join(__dirname, 'framework-floor.server.js'), adapter], {}, '/floor');
}

function peakResident(pid: number): string {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? megabytes(Number(match[1]) * 1024) : '?';
}

function compare(label: string, fastify: LoadSummary, express: LoadSummary): string {
  return (
    `${label}: fastify / express throughput ${(fastify.requestsPerSecond / express.requestsPerSecond).toFixed(2)}, ` +
    `CPU per request ${(fastify.cpuMsPerRequest / express.cpuMsPerRequest).toFixed(2)}, ` +
    `p99 ${fastify.p99Ms.toFixed(2)} vs ${express.p99Ms.toFixed(2)} ms`
  );
}

async function main(): Promise<void> {
  const servers: ServerProcess[] = [];
  try {
    const bare = await ServerProcess.bare();
    servers.push(bare);
    const express = await floorServer('express');
    servers.push(express);
    const fastify = await floorServer('fastify');
    servers.push(fastify);
    const get = (label: string, server: ServerProcess, path: string): LoadTarget => ({
      label,
      url: server.url,
      serverPid: server.pid,
      requests: [{ method: 'GET', path }],
    });
    const post = (label: string, server: ServerProcess): LoadTarget => ({
      label,
      url: server.url,
      serverPid: server.pid,
      expectedStatus: 201,
      requests: [{ method: 'POST', path: '/floor', headers: { 'content-type': 'application/json' }, body: TICKET }],
    });
    const targets = [
      get('bare Node http GET', bare, '/'),
      get('Nest + Express GET /floor', express, '/floor'),
      get('Nest + Fastify GET /floor', fastify, '/floor'),
      post('Nest + Express POST /floor (DTO)', express),
      post('Nest + Fastify POST /floor (DTO)', fastify),
    ];
    console.log(
      `Framework floor: ${CONNECTIONS} connections, ${SECONDS_PER_ENDPOINT} s per endpoint in ${ROUNDS} interleaved phases, ` +
        `after ${WARM_UP_SECONDS} s of warm-up each; pids bare ${bare.pid}, express ${express.pid}, fastify ${fastify.pid}`,
    );
    const phases = await runInterleaved(targets, {
      connections: CONNECTIONS,
      secondsPerTarget: SECONDS_PER_ENDPOINT,
      rounds: ROUNDS,
      warmUpSeconds: WARM_UP_SECONDS,
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    });
    const summaries = targets.map((target) => summariseTarget(phases, target.label));
    targets.forEach((target, index) => console.log(summaryLine(target.label, summaries[index])));
    const [bareGet, expressGet, fastifyGet, expressPost, fastifyPost] = summaries;
    console.log(
      `GET share of bare Node: express ${(expressGet.requestsPerSecond / bareGet.requestsPerSecond).toFixed(3)}, ` +
        `fastify ${(fastifyGet.requestsPerSecond / bareGet.requestsPerSecond).toFixed(3)}`,
    );
    console.log(compare('GET /floor', fastifyGet, expressGet));
    console.log(compare('POST /floor', fastifyPost, expressPost));
    console.log(
      `peak resident memory (VmHWM): bare ${peakResident(bare.pid)}, express ${peakResident(express.pid)}, fastify ${peakResident(fastify.pid)}`,
    );
    if (summaries.some((summary) => summary.unexpected > 0 || summary.errors > 0)) {
      console.log('UNEXPECTED answers or errors: see the lines above');
      process.exitCode = 1;
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
