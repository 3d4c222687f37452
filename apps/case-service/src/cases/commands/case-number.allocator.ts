import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { caseNumberStreamId, formatCaseNumber, type CaseKind } from '@cases/domain';
import { EVENT_STORE, type EventStore, type StreamAppend, type WrongExpectedVersionError } from '@cases/event-store';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The year in Asia/Shanghai (no daylight saving, so a fixed offset is exact). */
export function chinaYear(instant: Date): number {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/** A case number held for one intake: it is taken only if `append` lands with the case's first events. */
export interface NumberReservation {
  number: string;
  append: StreamAppend;
  /** The number's place in its sequence (1, 2, …): its event's revision plus one. */
  sequence: bigint;
  /** What it was reserved for, to reserve another number for the same intake. */
  request: { orgId: string; kind: CaseKind; occurredAt: Date; caseId: string };
}

/** What this instance knows of one sequence stream. */
interface Sequence {
  /** The first number never handed out here. */
  next: bigint;
  /** Numbers handed out whose appends have not settled yet, each with what settles it. */
  outstanding: Map<bigint, { settled: Promise<void>; settle: () => void }>;
  /** Numbers below `next` handed out but not taken (their intake failed or did not need them), handed out again first. */
  free: bigint[];
}

/**
 * Hands out case numbers (XF2026-0001…), unique per organisation, kind and year, across any
 * number of service instances, without gaps. Each sequence is a stream of `CaseNumberAllocated`
 * events whose revision is the sequence number minus one. A reservation is appended with the
 * exact expected revision in the same atomic multi-stream append as the case's first events, so
 * a number is taken exactly when its case is written, and two instances can never take the same.
 *
 * Within one instance numbers are handed out ahead of the store, so concurrent intakes share one
 * group commit instead of queueing on a read. Their appends may still reach the store out of
 * order (each intake first reads its case and seals its personal data), so a reservation can lose
 * because an earlier number of this instance has not landed yet: it then waits for those numbers
 * to settle and tries the same number again. It takes a new number only when its own was taken by
 * another instance or nothing here will take the numbers before it; numbers not taken are handed
 * out again first, so the sequence has no gaps and never stalls on a number nobody will take.
 */
@Injectable()
export class CaseNumberAllocator {
  private readonly sequences = new Map<string, Sequence>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async reserve(orgId: string, kind: CaseKind, occurredAt: Date, caseId: string): Promise<NumberReservation> {
    const year = chinaYear(occurredAt);
    const streamId = caseNumberStreamId(orgId, kind, year);
    if (!this.sequences.has(streamId)) {
      const fromStore = await this.sequenceAfterLast(streamId);
      // Another reservation may have filled the cache while this one read the store.
      if (!this.sequences.has(streamId)) this.sequences.set(streamId, { next: fromStore, outstanding: new Map(), free: [] });
    }
    const state = this.sequences.get(streamId) as Sequence;
    const sequence = state.free.shift() ?? state.next++;
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    state.outstanding.set(sequence, { settled, settle });
    return {
      number: formatCaseNumber(kind, year, Number(sequence)),
      sequence,
      request: { orgId, kind, occurredAt, caseId },
      append: {
        streamId,
        events: [
          {
            id: randomUUID(),
            type: 'CaseNumberAllocated',
            data: { sequence: Number(sequence), caseId },
            personal: null,
            metadata: { orgId, kind, year },
          },
        ],
        expectedRevision: sequence === 1n ? 'no_stream' : sequence - 2n,
      },
    };
  }

  /** Whether a failed append failed on this reservation's sequence stream. */
  isConflictOf(reservation: NumberReservation, error: WrongExpectedVersionError): boolean {
    return error.streamId === reservation.append.streamId;
  }

  /** The reservation's number was written with its case. */
  taken(reservation: NumberReservation): void {
    const state = this.sequenceOf(reservation);
    if (state !== undefined) this.settle(state, reservation.sequence);
  }

  /**
   * The reservation was not used, or its append failed for another reason than its sequence: its
   * number is handed out again (if it was taken after all, the store says so on the next try).
   */
  unused(reservation: NumberReservation): void {
    const state = this.sequenceOf(reservation);
    if (state === undefined) return;
    this.settle(state, reservation.sequence);
    this.release(state, reservation.sequence);
  }

  /**
   * The reservation lost on its sequence stream, whose last number the store reported. Numbers up
   * to it are taken. When numbers between it and this one are still on their way from this
   * instance, answers the same reservation once they have settled, to be tried again; otherwise
   * answers a new reservation, the lost number and any nothing here holds being handed out again.
   */
  async conflicted(reservation: NumberReservation, error: WrongExpectedVersionError): Promise<NumberReservation> {
    const state = this.sequenceOf(reservation);
    const { orgId, kind, occurredAt, caseId } = reservation.request;
    if (state === undefined) return this.reserve(orgId, kind, occurredAt, caseId);
    const lastTaken = error.actual === 'no_stream' ? 0n : error.actual + 1n;
    if (state.next <= lastTaken) state.next = lastTaken + 1n;
    state.free = state.free.filter((sequence) => sequence > lastTaken);
    const before = [...state.outstanding].filter(([sequence]) => sequence > lastTaken && sequence < reservation.sequence);
    if (reservation.sequence > lastTaken && before.length > 0) {
      await Promise.all(before.map(([, pending]) => pending.settled));
      return reservation;
    }
    this.settle(state, reservation.sequence);
    for (let sequence = lastTaken + 1n; sequence < state.next; sequence++) {
      if (!state.outstanding.has(sequence)) this.release(state, sequence);
    }
    return this.reserve(orgId, kind, occurredAt, caseId);
  }

  private sequenceOf(reservation: NumberReservation): Sequence | undefined {
    return this.sequences.get(reservation.append.streamId);
  }

  private settle(state: Sequence, sequence: bigint): void {
    state.outstanding.get(sequence)?.settle();
    state.outstanding.delete(sequence);
  }

  private release(state: Sequence, sequence: bigint): void {
    if (sequence >= state.next || state.free.includes(sequence)) return;
    state.free.push(sequence);
    state.free.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private async sequenceAfterLast(streamId: string): Promise<bigint> {
    const events = await this.store.readStream(streamId);
    return BigInt(events.length) + 1n;
  }
}
