#!/usr/bin/env node
'use strict';
// The hostile attacker: plays every attack of attacks/*.js against a live `cnnd serve --tls` coordinator and prints
// one line per attack, `PASS|FAIL <name>: <what the coordinator answered>`. PASS means the coordinator refused the
// attack the way docs/security.md and docs/protocol.md say it does; whether the weights stayed untouched is checked
// by run.sh afterwards. Exit code: 0 when every attack passed, 1 otherwise, 2 on bad arguments.
//
// node attack.js --port P --certs DIR --foreign DIR --device-kind KIND [--host 127.0.0.1] [--lr 0.1]
//                [--connections N] [--only NAME[,NAME]] [--report FILE] [--list]

const fs = require('node:fs');
const path = require('node:path');
const { makeContext, withTimeout } = require('./lib/common');

const FAMILIES = ['transport', 'framing', 'registration', 'identity', 'results', 'semantic'];

function parseArgs(argv) {
  const options = { host: '127.0.0.1', lr: 0.1, connections: 1000, only: null, report: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        usage(`${arg} needs a value`);
      }
      return argv[++i];
    };
    switch (arg) {
      case '--host': options.host = value(); break;
      case '--port': options.port = Number(value()); break;
      case '--certs': options.certs = value(); break;
      case '--foreign': options.foreign = value(); break;
      case '--device-kind': options.deviceKind = value(); break;
      case '--lr': options.lr = Number(value()); break;
      case '--connections': options.connections = Number(value()); break;
      case '--only': options.only = value().split(','); break;
      case '--report': options.report = value(); break;
      case '--list': options.list = true; break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (!options.list && (!options.port || !options.certs || !options.foreign || !options.deviceKind)) {
    usage('--port, --certs, --foreign and --device-kind are required');
  }
  return options;
}

function usage(message) {
  console.error(`error: ${message}`);
  console.error('usage: node attack.js --port P --certs DIR --foreign DIR --device-kind KIND '
    + '[--only NAMES] [--connections N] [--report FILE] [--list]');
  process.exit(2);
}

function loadAttacks() {
  const attacks = [];
  for (const family of FAMILIES) {
    for (const attack of require(path.join(__dirname, 'attacks', `${family}.js`))) {
      attacks.push({ family, ...attack });
    }
  }
  const names = new Set();
  for (const a of attacks) {
    if (names.has(a.name)) {
      throw new Error(`two attacks named ${a.name}`);
    }
    names.add(a.name);
  }
  return attacks;
}

/** Runs one attack under its timeout; a throw or a timeout is a FAIL with the reason. */
async function play(ctx, attack) {
  const started = Date.now();
  let outcome;
  try {
    outcome = await withTimeout(attack.run(ctx), attack.timeoutMs ?? 30_000, attack.name);
  } catch (e) {
    outcome = { pass: false, detail: `attack did not complete: ${e.message}` };
  }
  const line = `${outcome.pass ? 'PASS' : 'FAIL'} ${attack.name}: ${outcome.detail}`;
  console.log(line);
  return { name: attack.name, family: attack.family, pass: outcome.pass, detail: outcome.detail,
    ms: Date.now() - started };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let attacks = loadAttacks();
  if (options.list) {
    for (const a of attacks) {
      console.log(`${a.family}\t${a.name}`);
    }
    return 0;
  }
  if (options.only) {
    const unknown = options.only.filter((n) => !attacks.some((a) => a.name === n));
    if (unknown.length > 0) {
      usage(`unknown attack ${unknown.join(', ')} (see --list)`);
    }
    attacks = attacks.filter((a) => options.only.includes(a.name));
  }
  const ctx = makeContext(options);
  const started = Date.now();

  // Attacks marked `background` mostly wait (the slow-loris ones): they start first and run beside the others. The
  // rest run one after another, so at most one hostile worker is in the job at a time; those marked `last` (the
  // connection flood, which loads both cores) run after them.
  const background = attacks.filter((a) => a.background);
  const foreground = attacks.filter((a) => !a.background && !a.last);
  const last = attacks.filter((a) => a.last);
  const running = background.map((a) => play(ctx, a));
  const results = [];
  for (const attack of foreground) {
    results.push(await play(ctx, attack));
  }
  for (const attack of last) {
    results.push(await play(ctx, attack));
  }
  results.push(...await Promise.all(running));
  // The probe: the coordinator must still be training (not finished) for the verdicts above to mean anything.
  const probe = await stillTraining(ctx);
  ctx.close();

  const refused = results.filter((r) => r.pass).length;
  const summary = {
    attacks: results.length,
    refused,
    still_training: probe.training,
    still_training_detail: probe.detail,
    seconds: (Date.now() - started) / 1000,
    results,
  };
  console.log(`attacker: ${results.length} attacks, ${refused} refused; coordinator after the attacks: ${probe.detail}`
    + ` (${summary.seconds.toFixed(1)} s)`);
  if (options.report) {
    fs.writeFileSync(options.report, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return refused === results.length && probe.training ? 0 : 1;
}

/** Whether the job still admits workers (it refuses them with `the job has finished` once done). */
async function stillTraining(ctx) {
  const client = ctx.client('worker');
  const answer = await ctx.register(client, { name: 'hostile-probe' });
  client.close();
  if (answer.error) {
    return { training: false, detail: `probe registration failed: ${answer.error.details}` };
  }
  if (answer.reply.outcome === 'accepted') {
    return { training: true, detail: 'still training (a probe registration was accepted)' };
  }
  return { training: false, detail: `probe registration refused: ${answer.reply.refused.reason}` };
}

main().then(
  (code) => {
    process.exitCode = code;
    // grpc-js and open sockets can keep the loop alive; everything is decided.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (e) => {
    console.error(`error: ${e.stack ?? e}`);
    process.exit(1);
  });
