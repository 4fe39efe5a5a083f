'use strict';
// Poisoned step results from a registered worker that receives real assignments (docs/protocol.md, "Limits": what
// the coordinator refuses, StepResultValidator.cs). Each attack starts from a result that fits its assignment in
// every checked respect and breaks exactly one property; the coordinator must drop the worker with ABORTED and the
// reason, and recompute its shards elsewhere (the weights are compared by run.sh). A result that breaks the protocol
// drops the worker at once; one refused for its values (NaN, infinity, a norm out of bounds) is recomputed silently,
// and the third in a row drops the worker, so those attacks answer up to three assignments the same way.

const { grpc, statusName, nextAssignment, wellFormedResult, methods, TENSOR_BYTES } = require('../lib/common');

/**
 * Registers, opens the work stream, waits for an assignment, sends what `poison` makes of a well-formed result, and
 * reports what the coordinator did: ABORTED with a reason matching `pattern` passes; a next assignment (the result
 * was taken) or silence fails. With `times` > 1 (refusals for values), up to that many assignments are answered with
 * the poison and the drop must come after the last.
 */
async function playResult(ctx, name, poison, pattern, { raw = false, times = 1 } = {}) {
  const a = await ctx.registerAccepted(`hostile-${name}`);
  const stream = raw ? ctx.openRawWork(a.client, a.settings.worker_id) : ctx.openWork(a.client, a.settings.worker_id);
  try {
    let assignment = await nextAssignment(stream, 20_000);
    if (!assignment) {
      const s = stream.status;
      return { pass: false, detail: `no assignment within 20 s${s ? ` (${statusName(s.code)} "${s.details}")` : ''}` };
    }
    const steps = [];
    let step;
    let range;
    for (let sent = 1; ; sent++) {
      step = Number(assignment.step_id);
      range = `[${assignment.shard_start},${assignment.shard_end})`;
      steps.push(step);
      const result = wellFormedResult(assignment, a.settings.shard_count);
      const message = poison(result, assignment, a.settings);
      await stream.write(raw ? message : { result: message });
      const next = await stream.next(10_000);
      if (!next) {
        break;
      }
      if (next.kind !== 'assignment' || sent >= times) {
        const what = next.kind === 'assignment' ? `an assignment for step ${next.assignment.step_id}` : next.kind;
        return { pass: false, detail: `ACCEPTED: step ${step} shards ${range}, then the coordinator sent ${what}` };
      }
      assignment = next.assignment;
    }
    const status = stream.status;
    if (!status) {
      return { pass: false, detail: `no answer within 10 s after the result for step ${step} shards ${range}` };
    }
    return {
      pass: status.code === grpc.status.ABORTED && pattern.test(status.details ?? ''),
      detail: `${steps.length > 1 ? `${steps.length} results (steps ${steps.join(', ')}), the last ` : ''}`
        + `step ${step} shards ${range}: ${statusName(status.code)} "${status.details}"`,
    };
  } finally {
    stream.cancel();
    a.client.close();
  }
}

/** A refusal for values: the third in a row drops the worker (CoordinatorOptions.MaxRefusalsInARow). */
const VALUES = { times: 3 };

/** Overwrites float32 `index` of the first node's gradient. */
function setGradient(result, index, value) {
  result.nodes[0].gradient_sum.writeFloatLE(value, index * 4);
  return result;
}

module.exports = [
  {
    name: 'result-stale-step',
    async run(ctx) {
      // A replay of an earlier step: docs/protocol.md says a late result of an earlier step is discarded. It must
      // neither complete the step (no next assignment) nor be summed; the step keeps waiting for the real result.
      const a = await ctx.registerAccepted('hostile-stale');
      const stream = ctx.openWork(a.client, a.settings.worker_id);
      try {
        const assignment = await nextAssignment(stream, 20_000);
        if (!assignment) {
          return { pass: false, detail: 'no assignment within 20 s' };
        }
        const step = Number(assignment.step_id);
        const result = wellFormedResult(assignment, a.settings.shard_count);
        result.step_id = step - 1;
        await stream.write({ result });
        await stream.write({ result: { ...result, step_id: step - 5 } });
        const next = await stream.next(1_500);
        if (next) {
          return { pass: false, detail: `ACCEPTED: results for steps ${step - 1} and ${step - 5} (in step ${step}) were `
            + `followed by ${next.kind === 'assignment' ? `an assignment for step ${next.assignment.step_id}` : next.kind}` };
        }
        const status = stream.status;
        return {
          pass: !status || status.code === grpc.status.ABORTED,
          detail: status
            ? `results for steps ${step - 1}, ${step - 5} in step ${step}: ${statusName(status.code)} "${status.details}"`
            : `results for steps ${step - 1}, ${step - 5} in step ${step} discarded: no next step and no drop within 1.5 s`,
        };
      } finally {
        stream.cancel();
        a.client.close();
      }
    },
  },
  {
    name: 'result-future-step',
    run: (ctx) => playResult(ctx, 'future', (r) => ({ ...r, step_id: r.step_id + 1000 }), /unknown step/),
  },
  {
    name: 'result-nan-gradient',
    run: (ctx) => playResult(ctx, 'nan', (r) => setGradient(r, 1234, Number.NaN), /NaN at parameter 1234/, VALUES),
  },
  {
    name: 'result-inf-gradient',
    run: (ctx) => playResult(ctx, 'inf', (r) => setGradient(r, 4321, Number.POSITIVE_INFINITY),
      /(Infinity|∞) at parameter 4321/, VALUES),
  },
  {
    name: 'result-huge-finite-gradient',
    // ±3e38 is finite (float32 max is 3.4e38); summed with anything it would overflow the weights to infinity.
    run: (ctx) => playResult(ctx, 'huge', (r) => {
      const g = r.nodes[0].gradient_sum;
      for (let i = 0; i < g.length; i += 4) {
        g.writeFloatLE(i % 8 === 0 ? 3e38 : -3e38, i);
      }
      return r;
    }, /has L2 norm .* above its bound/, VALUES),
  },
  {
    name: 'result-gradient-wrong-length',
    run: (ctx) => playResult(ctx, 'short', (r) => {
      r.nodes[0].gradient_sum = r.nodes[0].gradient_sum.subarray(0, TENSOR_BYTES - 4);
      return r;
    }, new RegExp(`has ${TENSOR_BYTES - 4} bytes`)),
  },
  {
    name: 'result-tree-nodes-mismatch',
    run: (ctx) => playResult(ctx, 'nodes', (r, assignment) => {
      // One node for the whole assigned range, aligned or not, or an extra node when the range is a single node.
      const whole = assignment.shard_end - assignment.shard_start;
      if (r.nodes.length > 1) {
        r.nodes = [{ ...r.nodes[0], start: assignment.shard_start, size: whole }];
      } else {
        r.nodes.push({ ...r.nodes[0], start: assignment.shard_end });
      }
      return r;
    }, /do not match the cover/),
  },
  {
    name: 'result-duplicate-shard-stats',
    run: (ctx) => playResult(ctx, 'dupstats', (r) => {
      r.shards = [...r.shards, r.shards[0]];
      return r;
    }, /shard statistics for/),
  },
  {
    name: 'result-wrong-sample-count',
    run: (ctx) => playResult(ctx, 'samples', (r) => {
      r.shards[0] = { ...r.shards[0], samples: r.shards[0].samples * 2, correct: 1 };
      return r;
    }, /reports .* samples, it holds/),
  },
  {
    name: 'result-correct-over-samples',
    run: (ctx) => playResult(ctx, 'correct', (r) => {
      r.shards[0] = { ...r.shards[0], correct: r.shards[0].samples + 1 };
      return r;
    }, /reports .* samples, it holds/),
  },
  {
    name: 'result-nan-loss',
    run: (ctx) => playResult(ctx, 'nanloss', (r) => {
      r.shards[0] = { ...r.shards[0], loss_sum: Number.NaN };
      return r;
    }, /not a finite non-negative number/, VALUES),
  },
  {
    name: 'result-negative-compute-time',
    run: (ctx) => playResult(ctx, 'negtime', (r) => ({ ...r, compute_micros: -1 }), /negative compute time/),
  },
  {
    name: 'result-garbage-protobuf',
    run: (ctx) => playResult(ctx, 'garbage', (r) => {
      // A valid result message with its last bytes cut off: a length-delimited field longer than what is left, then
      // (second message body) a field with wire type 7. Only the first is sent; it is enough.
      const whole = methods.Work.requestSerialize({ result: r });
      return whole.subarray(0, whole.length - 1000);
    }, /malformed message/, { raw: true }),
  },
];
