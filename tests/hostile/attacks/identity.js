'use strict';
// Work streams under ids the caller may not use (docs/security.md, "Worker identity"): an id issued to another
// connection, an id never issued, a second stream for a live id, no id, an id whose worker left.

const { grpc, statusName, randomBytes, sleep } = require('../lib/common');

function expectStatus(status, code, pattern) {
  if (!status) {
    return { pass: false, detail: 'the work stream was ACCEPTED (still open after 10 s)' };
  }
  return {
    pass: status.code === code && pattern.test(status.details ?? ''),
    detail: `${statusName(status.code)} "${status.details}"`,
  };
}

module.exports = [
  {
    name: 'work-id-from-other-connection',
    async run(ctx) {
      // Register on connection A (kept open, so its id stays live), then open Work with A's id on connection B.
      const a = await ctx.registerAccepted('hostile-victim');
      const b = ctx.client('worker');
      try {
        const stream = ctx.openWork(b, a.settings.worker_id);
        const status = await stream.status_within(10_000);
        if (!status) {
          stream.cancel();
        }
        return expectStatus(status, grpc.status.PERMISSION_DENIED, /issued to another connection/);
      } finally {
        a.client.close();
        b.close();
      }
    },
  },
  {
    name: 'work-random-id',
    async run(ctx) {
      const client = ctx.client('worker');
      try {
        const stream = ctx.openWork(client, randomBytes(16).toString('hex'));
        const status = await stream.status_within(10_000);
        if (!status) {
          stream.cancel();
        }
        return expectStatus(status, grpc.status.FAILED_PRECONDITION, /unknown worker id/);
      } finally {
        client.close();
      }
    },
  },
  {
    name: 'work-without-id-header',
    async run(ctx) {
      const a = await ctx.registerAccepted('hostile-no-header');
      try {
        const stream = ctx.openWork(a.client, undefined);
        const status = await stream.status_within(10_000);
        if (!status) {
          stream.cancel();
        }
        return expectStatus(status, grpc.status.FAILED_PRECONDITION, /unknown worker id/);
      } finally {
        a.client.close();
      }
    },
  },
  {
    name: 'second-work-stream-same-id',
    async run(ctx) {
      // The attacker's own live id: its first stream is open, a second one on the same connection must be refused.
      const a = await ctx.registerAccepted('hostile-twice');
      const first = ctx.openWork(a.client, a.settings.worker_id);
      try {
        // The first stream is live once the coordinator sends it anything, or at least has not refused it.
        await first.next(300);
        if (first.status) {
          return { pass: false, detail: `the first stream itself ended: ${statusName(first.status.code)} "${first.status.details}"` };
        }
        const second = ctx.openWork(a.client, a.settings.worker_id);
        const status = await second.status_within(10_000);
        if (!status) {
          second.cancel();
        }
        return expectStatus(status, grpc.status.PERMISSION_DENIED, /already has a work stream/);
      } finally {
        // Leave at once: an assignment the attacker does not answer would hold the step until its deadline.
        first.cancel();
        a.client.close();
      }
    },
  },
  {
    name: 'work-id-after-leaving',
    async run(ctx) {
      // Join, leave (cancel the stream), then come back on the same connection with the old id.
      const a = await ctx.registerAccepted('hostile-rejoin');
      try {
        const first = ctx.openWork(a.client, a.settings.worker_id);
        await first.next(300);
        first.cancel();
        await first.status_within(5_000);
        await sleep(300);
        const again = ctx.openWork(a.client, a.settings.worker_id);
        const status = await again.status_within(10_000);
        if (!status) {
          again.cancel();
        }
        return expectStatus(status, grpc.status.FAILED_PRECONDITION, /unknown worker id/);
      } finally {
        a.client.close();
      }
    },
  },
];
