/**
 * TEST STAND-IN, not KurrentDB. No KurrentDB server can be installed where the tests run, so this
 * small gRPC server speaks the part of KurrentDB's real protocol that the event-store adapter
 * uses, over an in-memory log with EventStoreDB's write rules (see in-memory-log.ts), and the
 * contract suite drives the real `@kurrent/kurrentdb-client` against it. It serves:
 * - ServerFeatures/GetSupportedMethods, as KurrentDB 25.1 answers it (or as an older node, to
 *   test that the adapter refuses one);
 * - Streams/Append and Streams/BatchAppend (single-stream appends: the client picks BatchAppend
 *   when the features list it);
 * - Streams/Read: stream reads, `$all` reads both ways with the event-type and stream-name
 *   filters, and `$all` catch-up subscriptions. The client reads through a second connection, its
 *   native bridge, which fetches the features itself and needs a semver server version;
 * - the v2 StreamsService/AppendSession (the atomic multi-stream append), which reports a
 *   revision conflict the way 25.1 does: FAILED_PRECONDITION with the details in the
 *   `grpc-status-details-bin` trailer.
 * Stream subscriptions, deletes, persistent subscriptions, projections, users and TLS are not served.
 */
import type { IServerFeaturesServer } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb';
import type { IStreamsServer } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb';
import type { IStreamsServiceServer } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb';
import type { ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  EXPECT_ANY,
  EXPECT_NO_STREAM,
  EXPECT_STREAM_EXISTS,
  InMemoryLog,
  matchesFilter,
  type LogFilter,
  type LoggedEvent,
  type ProposedEvent,
  type WriteOutcome,
} from './in-memory-log';
import {
  anyPb,
  codePb,
  emptyPb,
  errorsV2Pb,
  featuresGrpcPb,
  featuresPb,
  grpc,
  sharedPb,
  statusPb,
  streamsGrpcPb,
  streamsPb,
  streamsV2GrpcPb,
  streamsV2Pb,
  type AppendRequestV2,
  type BatchAppendReq,
  type ReadReq,
  type ReadResp,
  type Uuid,
} from './protocol';

export interface KurrentDbStandInOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The version the features answer names (default 25.1.0). */
  serverVersion?: string;
  /** Whether the features answer lists the multi-stream append (default true; false answers like a node older than 25.1). */
  multiStreamAppend?: boolean;
  /** The log to serve (default a fresh one); pass a stopped stand-in's log to restart a node over the same data. */
  log?: InMemoryLog;
}

const { ReadReq: ReadReqClass, ReadResp: ReadRespClass, AppendResp, BatchAppendResp } = streamsPb;
const ReadOptions = ReadReqClass.Options;

interface LiveSubscription {
  call: ServerWritableStream<ReadReq, ReadResp>;
  close(): void;
}

export class KurrentDbStandIn {
  private readonly server = new grpc.Server();
  private readonly subscriptions = new Set<LiveSubscription>();
  private boundPort = 0;

  private constructor(
    readonly log: InMemoryLog,
    private readonly host: string,
    private readonly serverVersion: string,
    private readonly multiStreamAppend: boolean,
  ) {
    this.server.addService(featuresGrpcPb.ServerFeaturesService, this.featuresService());
    this.server.addService(streamsGrpcPb.StreamsService, this.streamsService());
    this.server.addService(streamsV2GrpcPb.StreamsServiceService, this.streamsV2Service());
  }

  static async start(options: KurrentDbStandInOptions = {}): Promise<KurrentDbStandIn> {
    const standIn = new KurrentDbStandIn(
      options.log ?? new InMemoryLog(),
      options.host ?? '127.0.0.1',
      options.serverVersion ?? '25.1.0',
      options.multiStreamAppend ?? true,
    );
    standIn.boundPort = await new Promise<number>((resolve, reject) =>
      standIn.server.bindAsync(`${standIn.host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return standIn;
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * The connection string a client uses to reach this stand-in. The client's read bridge makes its
   * first connection only after one discovery interval (500 ms by default; the wait is the
   * client's, so a real node sees it too); a short one keeps a test that opens a fresh client fast.
   */
  get url(): string {
    return `kurrentdb://${this.host}:${this.boundPort}?tls=false&discoveryInterval=10`;
  }

  /** Ends every live subscription with UNAVAILABLE, as a node shutting down or losing leadership does. */
  dropSubscriptions(): number {
    const dropped = [...this.subscriptions];
    for (const subscription of dropped) {
      subscription.close();
      subscription.call.emit('error', serviceError(grpc.status.UNAVAILABLE, 'Server is shutting down'));
    }
    return dropped.length;
  }

  /** Closes every connection at once, as a node that goes away does (a client's append stream stays open, so a graceful shutdown would wait for it). */
  async stop(): Promise<void> {
    for (const subscription of [...this.subscriptions]) subscription.close();
    this.server.forceShutdown();
  }

  private featuresService(): IServerFeaturesServer {
    return {
      getSupportedMethods: (_call, callback) => {
        // Lower-case names and these features, as KurrentDB's own ServerFeatures service lists them.
        const methods: Array<[service: string, method: string, features: string[]]> = [
          ['event_store.client.streams.streams', 'read', ['position', 'events']],
          ['event_store.client.streams.streams', 'append', []],
          ['event_store.client.streams.streams', 'batchappend', ['deadline_duration']],
          ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
        ];
        if (this.multiStreamAppend) methods.push(['kurrentdb.protocol.v2.streams.streamsservice', 'appendsession', []]);
        const answer = new featuresPb.SupportedMethods();
        answer.setEventStoreServerVersion(this.serverVersion);
        answer.setMethodsList(
          methods.map(([service, method, features]) =>
            new featuresPb.SupportedMethod().setServiceName(service).setMethodName(method).setFeaturesList(features),
          ),
        );
        callback(null, answer);
      },
    };
  }

  private streamsService(): IStreamsServer {
    return {
      read: (call) => this.read(call),
      append: (call, callback) => {
        let write: { streamId: string; expected: bigint } | undefined;
        const events: ProposedEvent[] = [];
        call.on('data', (request: InstanceType<typeof streamsPb.AppendReq>) => {
          const options = request.getOptions();
          if (options) write = { streamId: streamName(options.getStreamIdentifier()), expected: v1Expected(options) };
          const message = request.getProposedMessage();
          if (message) events.push(proposedEvent(message));
        });
        call.on('end', () => {
          if (!write) return callback(serviceError(grpc.status.INVALID_ARGUMENT, 'Append without options'));
          const outcome = this.log.write([{ ...write, events }]);
          const response = new AppendResp();
          if (outcome.kind === 'conflict') {
            const conflict = new AppendResp.WrongExpectedVersion();
            setV1Expected(conflict, write.expected);
            if (outcome.actual < 0n) conflict.setCurrentNoStream(new sharedPb.Empty());
            else conflict.setCurrentRevision(outcome.actual.toString());
            response.setWrongExpectedVersion(conflict);
          } else {
            const position = new AppendResp.Position()
              .setCommitPosition(outcome.position.toString())
              .setPreparePosition(outcome.position.toString());
            response.setSuccess(new AppendResp.Success().setCurrentRevision(outcome.lastRevisions[0].toString()).setPosition(position));
          }
          callback(null, response);
        });
      },
      batchAppend: (call) => {
        const pending = new Map<string, { streamId: string; expected: bigint; events: ProposedEvent[] }>();
        call.on('data', (request: BatchAppendReq) => {
          const correlation = uuidString(request.getCorrelationId());
          const options = request.getOptions();
          if (options)
            pending.set(correlation, { streamId: streamName(options.getStreamIdentifier()), expected: batchExpected(options), events: [] });
          const write = pending.get(correlation);
          if (!write) return;
          write.events.push(...request.getProposedMessagesList().map(proposedEvent));
          if (!request.getIsFinal()) return;
          pending.delete(correlation);
          call.write(this.batchAppendResponse(request.getCorrelationId() as Uuid, write, this.log.write([write])));
        });
        call.on('end', () => call.end());
      },
      delete: (_call, callback) => callback(serviceError(grpc.status.UNIMPLEMENTED, 'The stand-in does not delete streams')),
      tombstone: (_call, callback) => callback(serviceError(grpc.status.UNIMPLEMENTED, 'The stand-in does not tombstone streams')),
    };
  }

  private streamsV2Service(): IStreamsServiceServer {
    return {
      appendSession: (call, callback) => {
        const requests: AppendRequestV2[] = [];
        call.on('data', (request: AppendRequestV2) => requests.push(request));
        call.on('end', () => {
          if (requests.length === 0)
            return callback(serviceError(grpc.status.INVALID_ARGUMENT, 'An append session needs at least one request'));
          const names = requests.map((request) => request.getStream().toLowerCase());
          if (new Set(names).size !== names.length) {
            return callback(serviceError(grpc.status.FAILED_PRECONDITION, 'A stream may appear once in an append session'));
          }
          const writes = requests.map((request) => ({
            streamId: request.getStream(),
            expected: BigInt(request.getExpectedRevision() ?? EXPECT_ANY),
            events: request.getRecordsList().map(recordEvent),
          }));
          const outcome = this.log.write(writes);
          if (outcome.kind === 'conflict') return callback(revisionConflict(outcome));
          const response = new streamsV2Pb.AppendSessionResponse().setPosition(outcome.position.toString());
          response.setOutputList(
            writes.map(({ streamId }, index) =>
              new streamsV2Pb.AppendResponse().setStream(streamId).setStreamRevision(outcome.lastRevisions[index].toString()),
            ),
          );
          callback(null, response);
        });
      },
      appendRecords: (_call, callback) =>
        callback(serviceError(grpc.status.UNIMPLEMENTED, 'AppendRecords is KurrentDB 26.1; the stand-in is 25.1')),
    };
  }

  private read(call: ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions();
    if (!options) return void call.emit('error', serviceError(grpc.status.INVALID_ARGUMENT, 'Read without options'));
    const structuredIds = options.getUuidOption()?.getContentCase() === ReadOptions.UUIDOption.ContentCase.STRUCTURED;
    const send = (event: LoggedEvent) => call.write(readEvent(event, structuredIds));
    const backwards = options.getReadDirection() === ReadOptions.ReadDirection.BACKWARDS;
    const count = Number(options.getCount() || '0');

    if (options.getStreamOptionCase() === ReadOptions.StreamOptionCase.STREAM) {
      if (options.hasSubscription())
        return void call.emit('error', serviceError(grpc.status.UNIMPLEMENTED, 'The stand-in serves $all subscriptions only'));
      const streamOptions = options.getStream() as InstanceType<typeof ReadOptions.StreamOptions>;
      const id = streamName(streamOptions.getStreamIdentifier());
      const stream = this.log.stream(id);
      if (!stream) {
        const notFound = new ReadRespClass.StreamNotFound().setStreamIdentifier(
          new sharedPb.StreamIdentifier().setStreamName(Buffer.from(id)),
        );
        call.write(new ReadRespClass().setStreamNotFound(notFound));
        return void call.end();
      }
      const revisionCase = streamOptions.getRevisionOptionCase();
      const from =
        revisionCase === ReadOptions.StreamOptions.RevisionOptionCase.REVISION
          ? Number(streamOptions.getRevision())
          : revisionCase === ReadOptions.StreamOptions.RevisionOptionCase.END
            ? stream.length - 1
            : backwards
              ? stream.length - 1
              : 0;
      const selected = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
      selected.slice(0, count).forEach(send);
      return void call.end();
    }

    const filter = logFilter(options);
    const allOptions = options.getAll() as InstanceType<typeof ReadOptions.AllOptions>;
    const allCase = allOptions.getAllOptionCase();
    const position = BigInt(allOptions.getPosition()?.getCommitPosition() ?? '0');
    if (options.hasSubscription()) {
      const start =
        allCase === ReadOptions.AllOptions.AllOptionCase.END
          ? this.log.length
          : allCase === ReadOptions.AllOptions.AllOptionCase.POSITION
            ? this.log.indexAtOrAfter(position + 1n)
            : 0;
      return this.subscribe(call, start, filter, structuredIds);
    }
    // Forwards from a position includes the event at it; backwards starts strictly before it.
    let index = allCase === ReadOptions.AllOptions.AllOptionCase.POSITION ? this.log.indexAtOrAfter(position) : 0;
    if (backwards) index = allCase === ReadOptions.AllOptions.AllOptionCase.POSITION ? index - 1 : this.log.length - 1;
    for (let sent = 0; index >= 0 && index < this.log.length && sent < count; index += backwards ? -1 : 1) {
      const event = this.log.at(index);
      if (!matchesFilter(event, filter)) continue;
      send(event);
      sent += 1;
    }
    call.end();
  }

  /** Catch-up then live: one cursor over the log, advanced whenever the client can take more, so order holds across the switch. */
  private subscribe(
    call: ServerWritableStream<ReadReq, ReadResp>,
    start: number,
    filter: LogFilter | undefined,
    structuredIds: boolean,
  ): void {
    let cursor = start;
    let caughtUp = false;
    let waitingForDrain = false;
    let closed = false;
    const pump = () => {
      while (!closed && !waitingForDrain && cursor < this.log.length) {
        const event = this.log.at(cursor);
        cursor += 1;
        if (!matchesFilter(event, filter)) continue;
        if (!call.write(readEvent(event, structuredIds))) {
          waitingForDrain = true;
          call.once('drain', () => {
            waitingForDrain = false;
            pump();
          });
        }
      }
      if (!closed && !caughtUp && cursor >= this.log.length) {
        caughtUp = true;
        call.write(new ReadRespClass().setCaughtUp(new ReadRespClass.CaughtUp()));
      }
    };
    const stopListening = this.log.onCommitted(pump);
    const subscription: LiveSubscription = {
      call,
      close: () => {
        closed = true;
        stopListening();
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    call.on('cancelled', subscription.close);
    call.on('close', subscription.close);
    call.write(new ReadRespClass().setConfirmation(new ReadRespClass.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    pump();
  }

  private batchAppendResponse(correlationId: Uuid, write: { streamId: string; expected: bigint }, outcome: WriteOutcome) {
    const response = new BatchAppendResp().setCorrelationId(correlationId);
    response.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(write.streamId)));
    if (write.expected >= 0n) response.setStreamPosition(write.expected.toString());
    else if (write.expected === EXPECT_NO_STREAM) response.setNoStream(new emptyPb.Empty());
    else if (write.expected === EXPECT_STREAM_EXISTS) response.setStreamExists(new emptyPb.Empty());
    else response.setAny(new emptyPb.Empty());
    if (outcome.kind !== 'conflict') {
      const position = new sharedPb.AllStreamPosition()
        .setCommitPosition(outcome.position.toString())
        .setPreparePosition(outcome.position.toString());
      return response.setSuccess(
        new BatchAppendResp.Success().setCurrentRevision(outcome.lastRevisions[0].toString()).setPosition(position),
      );
    }
    const conflict = new sharedPb.WrongExpectedVersion();
    if (outcome.actual < 0n) conflict.setCurrentNoStream(new emptyPb.Empty());
    else conflict.setCurrentStreamRevision(outcome.actual.toString());
    if (write.expected >= 0n) conflict.setExpectedStreamPosition(write.expected.toString());
    else if (write.expected === EXPECT_NO_STREAM) conflict.setExpectedNoStream(new emptyPb.Empty());
    else if (write.expected === EXPECT_STREAM_EXISTS) conflict.setExpectedStreamExists(new emptyPb.Empty());
    else conflict.setExpectedAny(new emptyPb.Empty());
    const details = new anyPb.Any();
    details.pack(conflict.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    const status = new statusPb.Status().setCode(codePb.Code.FAILED_PRECONDITION).setMessage('WrongExpectedVersion').setDetails(details);
    return response.setError(status);
  }
}

function serviceError(code: number, details: string, metadata = new grpc.Metadata()): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

/** FAILED_PRECONDITION with StreamRevisionConflictErrorDetails in the status trailer, as KurrentDB 25.1 reports it. */
function revisionConflict(outcome: Extract<WriteOutcome, { kind: 'conflict' }>): ServiceError {
  const message = `Append failed due to a revision conflict on stream '${outcome.streamId}'. Expected revision: ${outcome.expected}. Actual revision: ${outcome.actual}.`;
  const details = new errorsV2Pb.StreamRevisionConflictErrorDetails()
    .setStream(outcome.streamId)
    .setExpectedRevision(outcome.expected.toString())
    .setActualRevision(outcome.actual.toString());
  const packed = new anyPb.Any();
  packed.pack(details.serializeBinary(), 'kurrentdb.protocol.v2.streams.errors.StreamRevisionConflictErrorDetails');
  const status = new statusPb.Status().setCode(codePb.Code.FAILED_PRECONDITION).setMessage(message).setDetails(packed);
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  return serviceError(grpc.status.FAILED_PRECONDITION, message, metadata);
}

function streamName(identifier: InstanceType<typeof sharedPb.StreamIdentifier> | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function uuidString(uuid: Uuid | undefined): string {
  if (!uuid) return '';
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured() as InstanceType<typeof sharedPb.UUID.Structured>;
  const hex = [structured.getMostSignificantBits(), structured.getLeastSignificantBits()]
    .map((bits) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toUuid(id: string, structured: boolean): Uuid {
  if (!structured) return new sharedPb.UUID().setString(id);
  const hex = id.replace(/-/g, '');
  const bits = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return new sharedPb.UUID().setStructured(
    new sharedPb.UUID.Structured().setMostSignificantBits(bits(hex.slice(0, 16))).setLeastSignificantBits(bits(hex.slice(16))),
  );
}

function v1Expected(options: InstanceType<typeof streamsPb.AppendReq.Options>): bigint {
  const cases = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
  switch (options.getExpectedStreamRevisionCase()) {
    case cases.REVISION:
      return BigInt(options.getRevision());
    case cases.NO_STREAM:
      return EXPECT_NO_STREAM;
    case cases.STREAM_EXISTS:
      return EXPECT_STREAM_EXISTS;
    default:
      return EXPECT_ANY;
  }
}

function setV1Expected(conflict: InstanceType<typeof AppendResp.WrongExpectedVersion>, expected: bigint): void {
  if (expected >= 0n) conflict.setExpectedRevision(expected.toString());
  else if (expected === EXPECT_NO_STREAM) conflict.setExpectedNoStream(new sharedPb.Empty());
  else if (expected === EXPECT_STREAM_EXISTS) conflict.setExpectedStreamExists(new sharedPb.Empty());
  else conflict.setExpectedAny(new sharedPb.Empty());
}

function batchExpected(options: InstanceType<typeof streamsPb.BatchAppendReq.Options>): bigint {
  const cases = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
  switch (options.getExpectedStreamPositionCase()) {
    case cases.STREAM_POSITION:
      return BigInt(options.getStreamPosition());
    case cases.NO_STREAM:
      return EXPECT_NO_STREAM;
    case cases.STREAM_EXISTS:
      return EXPECT_STREAM_EXISTS;
    default:
      return EXPECT_ANY;
  }
}

type V1ProposedMessage =
  InstanceType<typeof streamsPb.AppendReq.ProposedMessage> | InstanceType<typeof streamsPb.BatchAppendReq.ProposedMessage>;

function proposedEvent(message: V1ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: uuidString(message.getId()),
    type: metadata.get('type') ?? '',
    isJson: metadata.get('content-type') === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

/**
 * A v2 record as KurrentDB stores it: the schema name is the event type, and the properties are
 * what a v1 reader sees as metadata, a JSON object with the server's `$schema.*` keys added.
 */
function recordEvent(record: InstanceType<typeof streamsV2Pb.AppendRecord>): ProposedEvent {
  const schema = record.getSchema();
  const isJson = schema?.getFormat() === streamsV2Pb.SchemaFormat.SCHEMA_FORMAT_JSON;
  const properties: Record<string, unknown> = {};
  record.getPropertiesMap().forEach((value, key) => (properties[key] = value.toJavaScript()));
  properties['$schema.name'] = schema?.getName() ?? '';
  properties['$schema.format'] = isJson ? 'Json' : 'Bytes';
  return {
    id: record.getRecordId() ?? randomUUID(),
    type: schema?.getName() ?? '',
    isJson,
    data: record.getData_asU8(),
    metadata: Buffer.from(JSON.stringify(properties)),
  };
}

function readEvent(event: LoggedEvent, structuredIds: boolean): ReadResp {
  const recorded = new ReadRespClass.ReadEvent.RecordedEvent()
    .setId(toUuid(event.id, structuredIds))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.streamId)))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.position.toString())
    .setPreparePosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  metadata.set('created', event.created.toString());
  const readEventMessage = new ReadRespClass.ReadEvent().setEvent(recorded).setCommitPosition(event.position.toString());
  return new ReadRespClass().setEvent(readEventMessage);
}

function logFilter(options: InstanceType<typeof ReadOptions>): LogFilter | undefined {
  const filter = options.getFilter();
  if (!filter) return undefined;
  const cases = ReadOptions.FilterOptions.FilterCase;
  const on = filter.getFilterCase() === cases.STREAM_IDENTIFIER ? 'streamName' : 'eventType';
  const expression = on === 'streamName' ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return undefined;
  return expression.getRegex() ? { on, regex: new RegExp(expression.getRegex()) } : { on, prefixes: expression.getPrefixList() };
}
