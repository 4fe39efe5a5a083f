'use strict';
// Register with claims the coordinator must refuse (docs/protocol.md, "A worker's life", step 2; docs/security.md,
// "Worker identity"). The peer holds a valid worker certificate: only the claims are wrong.

const { SERVICE, grpc, grpcFrame, rawGrpcCall, describeRaw, statusName, randomBytes } = require('../lib/common');

/** Expects a `refused` reply whose reason matches `pattern`. */
async function expectRefusal(ctx, fields, pattern) {
  const client = ctx.client('worker');
  try {
    const answer = await ctx.register(client, fields);
    if (answer.error) {
      return { pass: false, detail: `gRPC ${statusName(answer.error.code)} "${answer.error.details}" instead of a refusal` };
    }
    if (answer.reply.outcome === 'accepted') {
      return { pass: false, detail: `ACCEPTED as worker ${answer.reply.accepted.worker_id.slice(0, 8)}` };
    }
    const reason = answer.reply.refused.reason;
    return { pass: pattern.test(reason), detail: `refused: ${reason}` };
  } finally {
    client.close();
  }
}

module.exports = [
  {
    name: 'oversized-register',
    async run(ctx) {
      // 6 KiB of capabilities: the body is over the 4 KiB registration limit, every field is otherwise valid.
      const client = ctx.client('worker');
      try {
        const answer = await ctx.register(client, {
          name: 'hostile-oversized', capabilities: Array.from({ length: 48 }, (_, i) => `cap-${i}-${'x'.repeat(120)}`),
        });
        if (answer.error) {
          return { pass: answer.error.code !== grpc.status.OK, detail: `${statusName(answer.error.code)} "${answer.error.details}"` };
        }
        return {
          pass: false,
          detail: answer.reply.outcome === 'accepted' ? 'ACCEPTED a 6 KiB registration' : `refused: ${answer.reply.refused.reason}`,
        };
      } finally {
        client.close();
      }
    },
  },
  {
    name: 'name-over-256-bytes',
    run: (ctx) => expectRefusal(ctx, { name: 'h'.repeat(257) }, /name/),
  },
  {
    name: 'name-with-newline',
    run: (ctx) => expectRefusal(ctx, { name: 'honest\n07:00:00 info: forged log line' }, /name/),
  },
  {
    name: 'device-kind-over-64-bytes',
    run: (ctx) => expectRefusal(ctx, { name: 'hostile-kind', device_kind: `${ctx.deviceKind}-${'x'.repeat(64)}` }, /device kind/),
  },
  {
    name: 'wrong-protocol-version',
    run: (ctx) => expectRefusal(ctx, { name: 'hostile-v2', protocol_version: 2 }, /protocol version 2/),
  },
  {
    name: 'wrong-device-kind',
    run: (ctx) => expectRefusal(ctx, { name: 'hostile-gpu', device_kind: 'cuda-sm90' }, /device kind 'cuda-sm90' differs/),
  },
  {
    name: 'malformed-register',
    async run(ctx) {
      // Not a RegisterRequest: a field with the invalid wire type 7 and random bytes.
      const session = await ctx.h2session('worker');
      try {
        const body = grpcFrame(Buffer.concat([Buffer.from([0x0f]), randomBytes(32)]));
        const r = await rawGrpcCall(session, `${SERVICE}/Register`, body);
        return {
          pass: r.grpcStatus === grpc.status.INVALID_ARGUMENT && /malformed registration/.test(r.grpcMessage ?? ''),
          detail: describeRaw(r),
        };
      } finally {
        session.destroy();
      }
    },
  },
];
