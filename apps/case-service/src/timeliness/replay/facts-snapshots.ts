import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CaseFacts, OpenedCase } from '@cases/domain';
import { TimeSlices } from './time-slices';

/**
 * Bumped whenever the file layout changes: a file of an unknown format is refused, never misread.
 * Format 1 held the facts only; format 2 adds the states of the cases in flight after them. A
 * format-1 file still reads, as facts without states.
 */
const FORMAT = 2;
const READABLE_FORMATS = [1, FORMAT];
const NAME = /^g(\d+)-p(\d+)\.ndjson$/;
/** Facts per write: large enough to keep the writes few, small enough to keep a slice short. */
const LINES_PER_WRITE = 500;

/** A snapshot on disk: the timeliness facts of every case of the organisation as of `position`, and the states of those in flight. */
export interface FactsSnapshot {
  position: bigint;
  /** The case read model's generation it belongs to (docs/statistics.md): a rebuild starts a new one. */
  generation: number;
  file: string;
}

interface Header {
  format: number;
  orgId: string;
  generation: number;
  position: string;
  cases: number;
  /** State lines after the facts lines; absent in format 1. */
  states?: number;
}

/** What a snapshot holds, by case id. */
export interface SnapshotContent {
  facts: Map<string, CaseFacts>;
  /** The states of cases in flight at the snapshot's position (not necessarily all of them): a replay goes on from these. */
  states: Map<string, OpenedCase>;
}

/**
 * Periodic snapshots of the timeliness facts at log positions (docs/statistics.md, "Snapshots"),
 * so that a report at an earlier position starts from the nearest one rather than from position 0.
 * Derived data, rebuildable at any time: one NDJSON file per snapshot under
 * DATA_DIR/timeliness-snapshots/<org>/, a header line, one case's facts per line, then the folded
 * state of each case in flight at the position, one per line, so a replay from the snapshot goes
 * on from them instead of folding those cases again from their streams. Written beside and
 * renamed into place so a crash never leaves half a snapshot. A snapshot belongs to one
 * generation of the case read model: when the read model is rebuilt (a new projection version, so
 * perhaps new facts), older generations are ignored and deleted.
 */
export class FactsSnapshots {
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly orgId: string,
    /** Snapshots kept: past it, the one closest to its neighbours goes, so the rest stay spread out. */
    private readonly kept = 12,
  ) {
    this.dir = join(dataDir, 'timeliness-snapshots', encodeURIComponent(orgId));
  }

  /** The snapshots of `generation`, oldest position first. */
  async list(generation: number): Promise<FactsSnapshot[]> {
    return (await this.all()).filter((snapshot) => snapshot.generation === generation);
  }

  /** The latest snapshot of `generation` at or before `position`. */
  async nearest(position: bigint, generation: number): Promise<FactsSnapshot | undefined> {
    return (await this.list(generation)).filter((snapshot) => snapshot.position <= position).at(-1);
  }

  /**
   * Writes the facts, and the states of cases in flight (each exactly as its events up to `position`
   * fold), as the snapshot at `position`, in slices, then drops what the rules no longer keep.
   */
  async save(position: bigint, generation: number, facts: readonly CaseFacts[], states: Iterable<OpenedCase> = []): Promise<FactsSnapshot> {
    await mkdir(this.dir, { recursive: true });
    const name = `g${generation}-p${position}.ndjson`;
    const file = join(this.dir, name);
    const partial = join(this.dir, `${name}.partial`);
    const inFlight = [...states];
    const header: Header = {
      format: FORMAT,
      orgId: this.orgId,
      generation,
      position: position.toString(),
      cases: facts.length,
      states: inFlight.length,
    };
    const out = createWriteStream(partial, { encoding: 'utf8' });
    const slices = new TimeSlices();
    try {
      out.write(`${JSON.stringify(header)}\n`);
      for (const lines of [facts, inFlight]) {
        for (let start = 0; start < lines.length; start += LINES_PER_WRITE) {
          const chunk = lines.slice(start, start + LINES_PER_WRITE).map((one) => `${JSON.stringify(one)}\n`);
          if (!out.write(chunk.join(''))) await once(out, 'drain');
          await slices.pause();
        }
      }
      out.end();
      await once(out, 'close');
    } catch (error) {
      out.destroy();
      await rm(partial, { force: true });
      throw error;
    }
    await rename(partial, file);
    await this.prune(generation);
    return { position, generation, file };
  }

  /** The facts of a snapshot, one case at a time, read as a stream (the states after them are not read). */
  async *read(snapshot: FactsSnapshot): AsyncGenerator<CaseFacts> {
    for await (const entry of this.entries(snapshot)) {
      if (!('facts' in entry)) return;
      yield entry.facts;
    }
  }

  /** Everything a snapshot holds, read in slices so other requests are answered meanwhile. */
  async load(snapshot: FactsSnapshot): Promise<SnapshotContent> {
    const content: SnapshotContent = { facts: new Map(), states: new Map() };
    const slices = new TimeSlices();
    for await (const entry of this.entries(snapshot)) {
      if ('facts' in entry) content.facts.set(entry.facts.caseId, entry.facts);
      else content.states.set(entry.state.id, entry.state);
      await slices.pause();
    }
    return content;
  }

  /** The lines of a snapshot in order: the facts, then the states. */
  private async *entries(snapshot: FactsSnapshot): AsyncGenerator<{ facts: CaseFacts } | { state: OpenedCase }> {
    const lines = createInterface({ input: createReadStream(snapshot.file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let header: Header | undefined;
    let factsLines = 0;
    for await (const line of lines) {
      if (line === '') continue;
      if (header === undefined) {
        header = JSON.parse(line) as Header;
        if (!READABLE_FORMATS.includes(header.format) || header.orgId !== this.orgId || header.position !== snapshot.position.toString()) {
          throw new Error(`${snapshot.file} is not a timeliness snapshot of this organisation at position ${snapshot.position}`);
        }
        continue;
      }
      if (factsLines < header.cases) {
        factsLines += 1;
        yield { facts: JSON.parse(line) as CaseFacts };
      } else {
        yield { state: JSON.parse(line) as OpenedCase };
      }
    }
  }

  private async all(): Promise<FactsSnapshot[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    return names
      .map((name) => NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ generation: Number(match[1]), position: BigInt(match[2]), file: join(this.dir, match[0]) }))
      .sort((left, right) => (left.position < right.position ? -1 : left.position > right.position ? 1 : 0));
  }

  /**
   * Drops what a stopped write left behind and other generations, then thins the rest to `kept`,
   * never the first nor the latest. Writes are one at a time (TimelinessFactsSource), so no
   * `.partial` file is in use here.
   */
  private async prune(generation: number): Promise<void> {
    for (const name of await readdir(this.dir)) if (name.endsWith('.partial')) await rm(join(this.dir, name), { force: true });
    const all = await this.all();
    for (const stale of all.filter((snapshot) => snapshot.generation !== generation)) await rm(stale.file, { force: true });
    const current = all.filter((snapshot) => snapshot.generation === generation);
    while (current.length > Math.max(2, this.kept)) {
      let closest = 1;
      for (let index = 2; index < current.length - 1; index++) {
        const gap = current[index + 1].position - current[index - 1].position;
        if (gap < current[closest + 1].position - current[closest - 1].position) closest = index;
      }
      await rm(current[closest].file, { force: true });
      current.splice(closest, 1);
    }
  }
}
