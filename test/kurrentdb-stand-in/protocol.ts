/**
 * TEST STAND-IN, not KurrentDB: the gRPC protocol code the stand-in serves, taken from the
 * `@kurrent/kurrentdb-client` package itself (its generated `*_pb.js` files and their service
 * definitions), so the stand-in speaks exactly the protocol the client was built against.
 *
 * The generated serializers check `instanceof` against their own message classes, and those
 * extend google-protobuf's: a message built from another copy of the generated code, of
 * google-protobuf or of @grpc/grpc-js is refused at send time. Everything is therefore resolved
 * from the client package's own dependency tree and loaded with the ordinary `require` (under
 * jest, jest's module registry, which is also where the client under test is loaded).
 */
import { dirname, join } from 'node:path';

type GrpcJs = typeof import('@grpc/grpc-js');
type AnyPb = typeof import('google-protobuf/google/protobuf/any_pb');
type EmptyPb = typeof import('google-protobuf/google/protobuf/empty_pb');
type StructPb = typeof import('google-protobuf/google/protobuf/struct_pb');
type SharedPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb');
type CodePb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/code_pb');
type StatusPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/status_pb');
type StreamsPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb');
type StreamsGrpcPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb');
type FeaturesPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb');
type FeaturesGrpcPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb');
type StreamsV2Pb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_pb');
type StreamsV2GrpcPb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/streams_grpc_pb');
type ErrorsV2Pb = typeof import('@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v2/streams/errors_pb');

const clientDir = dirname(require.resolve('@kurrent/kurrentdb-client/package.json'));

/** A package as the client itself resolves it (a nested copy under the client wins over a hoisted one). */
function fromClientTree<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a computed path; `import` cannot resolve from the client's tree
  return require(require.resolve(id, { paths: [clientDir] })) as T;
}

/** A generated protocol module shipped inside the client package. */
function generated<T>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same file the client requires, so the same module instance
  return require(join(clientDir, 'generated', 'kurrentdb', 'protocols', file)) as T;
}

export const grpc = fromClientTree<GrpcJs>('@grpc/grpc-js');
export const anyPb = fromClientTree<AnyPb>('google-protobuf/google/protobuf/any_pb');
export const emptyPb = fromClientTree<EmptyPb>('google-protobuf/google/protobuf/empty_pb');
export const structPb = fromClientTree<StructPb>('google-protobuf/google/protobuf/struct_pb');
export const sharedPb = generated<SharedPb>('v1/shared_pb');
export const codePb = generated<CodePb>('v1/code_pb');
export const statusPb = generated<StatusPb>('v1/status_pb');
export const streamsPb = generated<StreamsPb>('v1/streams_pb');
export const streamsGrpcPb = generated<StreamsGrpcPb>('v1/streams_grpc_pb');
export const featuresPb = generated<FeaturesPb>('v1/serverfeatures_pb');
export const featuresGrpcPb = generated<FeaturesGrpcPb>('v1/serverfeatures_grpc_pb');
export const streamsV2Pb = generated<StreamsV2Pb>('v2/streams/streams_pb');
export const streamsV2GrpcPb = generated<StreamsV2GrpcPb>('v2/streams/streams_grpc_pb');
export const errorsV2Pb = generated<ErrorsV2Pb>('v2/streams/errors_pb');

export type ReadReq = InstanceType<StreamsPb['ReadReq']>;
export type ReadResp = InstanceType<StreamsPb['ReadResp']>;
export type AppendReq = InstanceType<StreamsPb['AppendReq']>;
export type AppendResp = InstanceType<StreamsPb['AppendResp']>;
export type BatchAppendReq = InstanceType<StreamsPb['BatchAppendReq']>;
export type BatchAppendResp = InstanceType<StreamsPb['BatchAppendResp']>;
export type Uuid = InstanceType<SharedPb['UUID']>;
export type AppendRequestV2 = InstanceType<StreamsV2Pb['AppendRequest']>;
export type AppendSessionResponse = InstanceType<StreamsV2Pb['AppendSessionResponse']>;
