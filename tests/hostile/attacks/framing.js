'use strict';
// HTTP/2 and gRPC framing from a peer holding a valid worker certificate, written with Node's http2 module because
// grpc-js never sends such frames (docs/protocol.md, "Limits"; docs/security.md, "Limits").

const {
  SERVICE, WORKER_ID_HEADER, methods, grpcFrame, rawGrpcCall, describeRaw, statusName, grpc,
} = require('../lib/common');

const REGISTER = `${SERVICE}/Register`;
const WORK = `${SERVICE}/Work`;

function registerBody(ctx, name) {
  return grpcFrame(methods.Register.requestSerialize({
    name, device_kind: ctx.deviceKind, threads: 1, protocol_version: 1, capabilities: ['node-presum'],
  }));
}

/** A gRPC failure or a reset: anything but an OK answer. */
function failed(r) {
  return (r.grpcStatus !== null && r.grpcStatus !== grpc.status.OK) || r.rstCode > 0 || r.error !== null;
}

module.exports = [
  {
    name: 'huge-length-prefix',
    async run(ctx) {
      // Register on a raw session, open Work on it, then send a gRPC prefix declaring 1 GiB and a few bytes of it.
      const session = await ctx.h2session('worker');
      try {
        const reg = await rawGrpcCall(session, REGISTER, registerBody(ctx, 'hostile-huge-length'));
        const reply = reg.data.length > 5 ? methods.Register.responseDeserialize(reg.data.subarray(5)) : null;
        if (!reply || reply.outcome !== 'accepted') {
          return { pass: false, detail: `could not register first: ${describeRaw(reg)}` };
        }
        const body = Buffer.concat([grpcFrame(Buffer.alloc(0), 1 << 30), Buffer.alloc(16 * 1024)]);
        const r = await rawGrpcCall(session, WORK, body, {
          headers: { [WORKER_ID_HEADER]: reply.accepted.worker_id }, endStream: false, ms: 10_000,
        });
        return { pass: r.why !== 'timeout' && failed(r), detail: describeRaw(r) };
      } finally {
        session.destroy();
      }
    },
  },
  {
    name: 'huge-length-register',
    async run(ctx) {
      // A Register body whose prefix declares 1 GiB: the 4 KiB registration limit applies before any buffering.
      const session = await ctx.h2session('worker');
      try {
        const body = Buffer.concat([grpcFrame(Buffer.alloc(0), 1 << 30), Buffer.alloc(8 * 1024)]);
        const r = await rawGrpcCall(session, REGISTER, body, { endStream: false, ms: 10_000 });
        return { pass: r.why !== 'timeout' && failed(r), detail: describeRaw(r) };
      } finally {
        session.destroy();
      }
    },
  },
  {
    name: 'slowloris-register-body',
    background: true,
    timeoutMs: 40_000,
    async run(ctx) {
      // A registration body one byte per second: the minimum body data rate (240 B/s after a 5 s grace) ends it.
      const session = await ctx.h2session('worker');
      try {
        const body = registerBody(ctx, 'hostile-slowloris'.padEnd(200, 'x'));
        const r = await rawGrpcCall(session, REGISTER, body, {
          ms: 30_000, dribble: { bytes: 1, everyMs: 1000 },
        });
        return { pass: r.why !== 'timeout' && failed(r) && r.ms <= 20_000, detail: describeRaw(r) };
      } finally {
        session.destroy();
      }
    },
  },
  {
    name: 'oversized-headers',
    async run(ctx) {
      // A 16 KiB header (the coordinator allows 8 KiB in all) on an otherwise valid Register.
      const session = await ctx.h2session('worker');
      try {
        const r = await rawGrpcCall(session, REGISTER, registerBody(ctx, 'hostile-big-header'), {
          headers: { 'x-hostile': 'a'.repeat(16 * 1024) },
        });
        const accepted = r.grpcStatus === grpc.status.OK;
        return { pass: r.why !== 'timeout' && !accepted, detail: describeRaw(r) };
      } catch (e) {
        return { pass: true, detail: `session ended: ${e.message}` };
      } finally {
        session.destroy();
      }
    },
  },
  {
    name: 'other-service-on-training-port',
    async run(ctx) {
      // The training port serves only TrainingCoordinator: the health service (and anything else) is UNIMPLEMENTED.
      const session = await ctx.h2session('worker');
      try {
        const r = await rawGrpcCall(session, 'grpc.health.v1.Health/Check', grpcFrame(Buffer.alloc(0)));
        return {
          pass: r.grpcStatus === grpc.status.UNIMPLEMENTED || (r.httpStatus !== null && r.httpStatus !== 200),
          detail: r.grpcStatus === null ? describeRaw(r) : `${statusName(r.grpcStatus)}; ${describeRaw(r)}`,
        };
      } finally {
        session.destroy();
      }
    },
  },
];
