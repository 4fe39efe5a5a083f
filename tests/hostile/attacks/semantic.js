'use strict';
// Results that break no protocol rule but lie (docs/security.md, "Hostile workers"): zero gradients from a worker
// claiming a 1 µs compute time, caught by spot checks (run.sh spot-checks every result: --verify-fraction 1), and a
// finite gradient 1000× the honest norm, within the absolute bound but far above the relative one. A PASS means the
// coordinator dropped the liar; run.sh checks that none of the lies reached the weights.

const { grpc, statusName, nextAssignment, wellFormedResult, sleep } = require('../lib/common');

/** Joins, waits for an assignment; the caller answers it. */
async function join(ctx, name) {
  const a = await ctx.registerAccepted(`hostile-${name}`);
  const stream = ctx.openWork(a.client, a.settings.worker_id);
  const assignment = await nextAssignment(stream, 20_000);
  if (!assignment) {
    stream.cancel();
    a.client.close();
    throw new Error('no assignment within 20 s');
  }
  return { ...a, stream, assignment, leave: () => { stream.cancel(); a.client.close(); } };
}

/**
 * After a result: ABORTED (refused), the next assignment (taken), or neither within `ms`. A refusal comes within
 * milliseconds; silence means the step went on without the attacker (taken, and the attacker measured too slow to
 * get shards next), so it counts as taken too.
 */
async function outcome(stream, ms = 3_000) {
  const next = await stream.next(ms);
  if (next?.kind === 'assignment') {
    return { taken: true, next: next.assignment };
  }
  const status = stream.status;
  if (!status) {
    return { taken: true, next: null, detail: `no refusal within ${ms} ms (the step went on without the attacker)` };
  }
  return { taken: false, status, detail: `${statusName(status.code)} "${status.details}"` };
}

const rangeOf = (a) => `[${a.shard_start},${a.shard_end})`;
const size = (a) => a.shard_end - a.shard_start;

function norm(buffer) {
  let sum = 0;
  for (let i = 0; i < buffer.length; i += 4) {
    const v = buffer.readFloatLE(i);
    sum += v * v;
  }
  return Math.sqrt(sum);
}

module.exports = [
  {
    name: 'lie-tiny-compute-micros-zero-gradients',
    async run(ctx) {
      // A worker claiming 1 µs of compute per step to be handed every shard. Its gradients are zeros (it cannot
      // compute real ones): the spot check of its first result must drop it before the zeros reach the weights.
      const w = await join(ctx, 'speedliar');
      try {
        const first = w.assignment;
        const result = wellFormedResult(first, w.settings.shard_count);
        result.compute_micros = 1;
        await w.stream.write({ result });
        const o = await outcome(w.stream);
        if (!o.taken) {
          return { pass: o.status?.code === grpc.status.ABORTED, detail: `refused: ${o.detail}` };
        }
        // Answer the next one the same way once more, to see the share it is given after being "measured".
        const second = o.next;
        if (!second) {
          return { pass: false, detail: `ACCEPTED a 1 µs compute time, then got no next assignment: ${o.detail}` };
        }
        const again = wellFormedResult(second, w.settings.shard_count);
        again.compute_micros = 1;
        await w.stream.write({ result: again });
        const o2 = await outcome(w.stream);
        const third = o2.taken ? o2.next : null;
        const shares = [first, second, third].filter(Boolean).map((a) => `${size(a)} ${rangeOf(a)}`).join(' → ');
        const greedy = [second, third].filter(Boolean).some((a) => size(a) > size(first));
        const shareText = `the attacker's shares of ${w.settings.shard_count}: ${shares}`;
        return {
          pass: !greedy && !o2.taken,
          detail: o2.taken ? `ACCEPTED two results with zero gradients; ${shareText}` : `${o2.detail}; ${shareText}`,
        };
      } finally {
        w.leave();
      }
    },
  },
  {
    name: 'lie-gradient-norm-1000x',
    timeoutMs: 60_000,
    async run(ctx) {
      // Estimate the honest per-sample gradient from how far the weights moved between two of our assignments,
      // then send a finite gradient 1000x that norm in a random direction.
      const w1 = await join(ctx, 'norm-probe');
      const before = { step: Number(w1.assignment.step_id), weights: w1.assignment.weights?.data };
      w1.leave();
      await sleep(100);
      const w = await join(ctx, 'norm');
      try {
        const after = { step: Number(w.assignment.step_id), weights: w.assignment.weights?.data };
        if (!before.weights || !after.weights || after.step <= before.step) {
          return { pass: false, detail: 'attack did not run: could not see the weights of two steps' };
        }
        const delta = Buffer.alloc(after.weights.length);
        for (let i = 0; i < delta.length; i += 4) {
          delta.writeFloatLE(after.weights.readFloatLE(i) - before.weights.readFloatLE(i), i);
        }
        const perSample = norm(delta) / (ctx.lr * (after.step - before.step));
        // A refusal for its values is silent until the third in a row drops the worker: lie three times.
        let assignment = w.assignment;
        let what = '';
        for (let sent = 1; sent <= 3; sent++) {
          const result = wellFormedResult(assignment, w.settings.shard_count);
          for (const node of result.nodes) {
            const samples = assignment.shards
              .slice(node.start - assignment.shard_start, node.start - assignment.shard_start + node.size)
              .reduce((n, s) => n + s.labels.length, 0);
            const target = 1000 * perSample * samples;
            const direction = Array.from({ length: node.gradient_sum.length / 4 }, () => Math.random() - 0.5);
            const length = Math.sqrt(direction.reduce((s, v) => s + v * v, 0));
            direction.forEach((v, i) => node.gradient_sum.writeFloatLE((v / length) * target, i * 4));
          }
          await w.stream.write({ result });
          what = `${sent} results, the last with norm ${norm(result.nodes[0].gradient_sum).toExponential(2)} for `
            + `node [${result.nodes[0].start},${result.nodes[0].start + result.nodes[0].size}) (honest ≈ `
            + `${(perSample).toExponential(2)} per sample, from the weights' movement over steps `
            + `${before.step}–${after.step})`;
          const o = await outcome(w.stream, 10_000);
          if (!o.taken) {
            // Refused as an outlier three times in a row, or, when it was given an honest node to spot-check,
            // contradicted by two other workers.
            return { pass: o.status?.code === grpc.status.ABORTED
                && /median|two other workers/.test(o.status.details ?? ''),
              detail: `${o.detail}; ${what}` };
          }
          if (!o.next) {
            return { pass: false, detail: `ACCEPTED ${what}; ${o.detail}` };
          }
          assignment = o.next;
        }
        return { pass: false, detail: `ACCEPTED ${what}: still in the job` };
      } finally {
        w.leave();
      }
    },
  },
];
