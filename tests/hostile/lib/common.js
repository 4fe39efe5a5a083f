'use strict';
// Shared helpers of the hostile attacker: the proto, gRPC clients with chosen certificates, raw TLS / HTTP/2 probes,
// gRPC framing, and the poisoned-result builders. Nothing here trusts the coordinator to answer: every wait has a
// timeout.

const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const tls = require('node:tls');
const http2 = require('node:http2');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.resolve(__dirname, '../../../protos/cnndistributed/v1/training.proto');
const SERVICE = 'cnndistributed.v1.TrainingCoordinator';
const WORKER_ID_HEADER = 'cnnd-worker-id';
/** One node gradient: 34,622 float32 (docs/protocol.md, "Messages"). */
const TENSOR_BYTES = 34622 * 4;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const STATUS_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));

const packageDefinition = protoLoader.loadSync(PROTO, {
  keepCase: true,
  longs: Number,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});
const proto = grpc.loadPackageDefinition(packageDefinition).cnndistributed.v1;
const methods = packageDefinition[SERVICE];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Races a promise against a timeout that rejects with a readable message. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function statusName(code) {
  return STATUS_NAMES[code] ?? `status ${code}`;
}

/** Reads the PEM files the attack needs: the run's certificates and a foreign CA's. */
function loadCertificates(certsDir, foreignDir) {
  const read = (dir, file) => fs.readFileSync(path.join(dir, file));
  const identities = {
    worker: { cert: read(certsDir, 'worker.crt'), key: read(certsDir, 'worker.key') },
    coordinator: { cert: read(certsDir, 'coordinator.crt'), key: read(certsDir, 'coordinator.key') },
    foreign: { cert: read(foreignDir, 'worker.crt'), key: read(foreignDir, 'worker.key') },
    none: null,
  };
  return { ca: read(certsDir, 'ca.crt'), identities };
}

/**
 * Builds the context every attack gets: where the coordinator is, the certificates, the job facts the attacker was
 * told (device kind, learning rate), and factories for clients and raw connections.
 */
function makeContext(options) {
  const { ca, identities } = loadCertificates(options.certs, options.foreign);
  const ctx = {
    host: options.host,
    port: options.port,
    deviceKind: options.deviceKind,
    lr: options.lr,
    connections: options.connections,
    ca,
    identities,
    proto,
    methods,
    grpc,
    clients: [],
  };

  /** A gRPC client on its own HTTP/2 connection (a local subchannel pool), presenting the named identity. */
  ctx.client = (identity = 'worker') => {
    const id = identities[identity];
    const creds = id
      ? grpc.credentials.createSsl(ca, id.key, id.cert)
      : grpc.credentials.createSsl(ca);
    const client = new proto.TrainingCoordinator(`${ctx.host}:${ctx.port}`, creds, {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0,
      'grpc.max_receive_message_length': 64 << 20,
      'grpc.max_send_message_length': 64 << 20,
      'grpc.initial_reconnect_backoff_ms': 200,
    });
    ctx.clients.push(client);
    return client;
  };

  /** Calls Register; resolves { reply } or { error: { code, details } }. */
  ctx.register = (client, fields = {}, timeoutMs = 10_000) =>
    new Promise((resolve) => {
      const request = {
        name: 'hostile',
        device_kind: ctx.deviceKind,
        threads: 1,
        protocol_version: 1,
        capabilities: ['node-presum'],
        ...fields,
      };
      client.Register(request, { deadline: Date.now() + timeoutMs }, (error, reply) =>
        resolve(error ? { error: { code: error.code, details: error.details } } : { reply }));
    });

  /** Registers on a fresh connection and expects an accepted reply; throws otherwise. */
  ctx.registerAccepted = async (name = 'hostile') => {
    const client = ctx.client('worker');
    const answer = await ctx.register(client, { name });
    if (answer.error) {
      throw new Error(`registration failed: ${statusName(answer.error.code)} ${answer.error.details}`);
    }
    if (answer.reply.outcome !== 'accepted') {
      throw new Error(`registration refused: ${answer.reply.refused.reason}`);
    }
    return { client, settings: answer.reply.accepted };
  };

  /**
   * Opens a Work stream naming `workerId` and records what comes back: assignments, shutdowns, the final status.
   * `stream.next()` waits for the next coordinator message, `stream.ended` for the status.
   */
  ctx.openWork = (client, workerId) => {
    const metadata = new grpc.Metadata();
    if (workerId !== undefined) {
      metadata.set(WORKER_ID_HEADER, workerId);
    }
    return watchStream(client.Work(metadata));
  };

  /** The same stream with caller-made bytes as messages (garbage protobuf). */
  ctx.openRawWork = (client, workerId) => {
    const metadata = new grpc.Metadata();
    metadata.set(WORKER_ID_HEADER, workerId);
    const call = client.makeBidiStreamRequest(
      `/${SERVICE}/Work`, (buffer) => buffer, methods.Work.responseDeserialize, metadata, {});
    return watchStream(call);
  };

  ctx.close = () => {
    for (const client of ctx.clients.splice(0)) {
      try {
        client.close();
      } catch {
        // already closed
      }
    }
  };

  /** TLS options for a raw connection presenting `identity`. */
  ctx.tlsOptions = (identity = 'worker') => {
    const id = identities[identity];
    return {
      host: ctx.host,
      port: ctx.port,
      ca,
      ...(id ? { cert: id.cert, key: id.key } : {}),
      ALPNProtocols: ['h2'],
      // No SNI for an IP address (RFC 6066); the certificate is still checked against the host.
      servername: '',
    };
  };

  /** A raw HTTP/2 session (Node's http2 module) over mutual TLS: for frames grpc-js would never send. */
  ctx.h2session = (identity = 'worker') =>
    new Promise((resolve, reject) => {
      const session = http2.connect(`https://${ctx.host}:${ctx.port}`, {
        ...ctx.tlsOptions(identity),
        settings: { initialWindowSize: 4 << 20 },
      });
      const timer = setTimeout(() => {
        session.destroy();
        reject(new Error('HTTP/2 session did not connect in 10 s'));
      }, 10_000);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve(session);
      });
      session.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });

  return ctx;
}

/** Wraps a duplex call: queues coordinator messages, resolves `ended` with { code, details } once. */
function watchStream(call) {
  const queue = [];
  const waiters = [];
  let status = null;
  let endResolve;
  const ended = new Promise((resolve) => {
    endResolve = resolve;
  });
  const finish = (s) => {
    if (status) {
      return;
    }
    status = s;
    endResolve(s);
    for (const w of waiters.splice(0)) {
      w(null);
    }
  };
  call.on('data', (message) => {
    const waiter = waiters.shift();
    if (waiter) {
      waiter(message);
    } else {
      queue.push(message);
    }
  });
  call.on('error', (e) => finish({ code: e.code, details: e.details }));
  call.on('status', (s) => finish({ code: s.code, details: s.details }));
  return {
    call,
    ended,
    get status() {
      return status;
    },
    /** The next coordinator message, or null when the stream ended or `ms` passed. */
    next(ms) {
      if (queue.length > 0) {
        return Promise.resolve(queue.shift());
      }
      if (status) {
        return Promise.resolve(null);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
          }
          resolve(null);
        }, ms);
        const waiter = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiters.push(waiter);
      });
    },
    /** The stream's final status, or null when it is still open after `ms`. */
    async status_within(ms) {
      return withTimeout(ended, ms, 'stream status').catch(() => null);
    },
    write(message) {
      return new Promise((resolve) => call.write(message, () => resolve()));
    },
    cancel() {
      call.cancel();
    },
  };
}

/** The next assignment on a work stream (skipping nothing else: a shutdown ends the wait). */
async function nextAssignment(stream, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const message = await stream.next(deadline - Date.now());
    if (!message) {
      return null;
    }
    if (message.kind === 'assignment') {
      return message.assignment;
    }
    if (message.kind === 'shutdown') {
      throw new Error(`coordinator sent shutdown: ${message.shutdown.reason}`);
    }
  }
  return null;
}

/** GradientTree.Cover: the maximal aligned nodes of [start, end) in a tree of `shardCount` leaves. */
function cover(shardCount, start, end) {
  const nodes = [];
  while (start < end) {
    let size = start === 0 ? shardCount : start & -start;
    while (start + size > end) {
      size >>= 1;
    }
    nodes.push({ start, size });
    start += size;
  }
  return nodes;
}

/**
 * A result that fits the assignment in every checked respect (step, nodes, sizes, statistics, time), with zero
 * gradients. Attacks break exactly one property of it. Sent unbroken it would be accepted and change the weights,
 * so no attack sends it unbroken.
 */
function wellFormedResult(assignment, shardCount) {
  const step = Number(assignment.step_id);
  return {
    step_id: step,
    nodes: cover(shardCount, assignment.shard_start, assignment.shard_end).map((n) => ({
      start: n.start,
      size: n.size,
      gradient_sum: Buffer.alloc(TENSOR_BYTES),
    })),
    shards: assignment.shards.map((s) => ({ loss_sum: 2.3 * s.labels.length, correct: 0, samples: s.labels.length })),
    compute_micros: 20_000,
  };
}

/** The 5-byte gRPC message prefix (uncompressed) followed by the message. */
function grpcFrame(message, declaredLength = message.length) {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(0, 0);
  prefix.writeUInt32BE(declaredLength >>> 0, 1);
  return Buffer.concat([prefix, message]);
}

/** Parses the HTTP/2 frame headers in `buffer` (stops at a partial one): [{ type, flags, stream, payload }]. */
function parseFrames(buffer) {
  const frames = [];
  let offset = 0;
  while (offset + 9 <= buffer.length) {
    const length = buffer.readUIntBE(offset, 3);
    if (offset + 9 + length > buffer.length) {
      break;
    }
    frames.push({
      type: buffer[offset + 3],
      flags: buffer[offset + 4],
      stream: buffer.readUInt32BE(offset + 5) & 0x7fffffff,
      payload: buffer.subarray(offset + 9, offset + 9 + length),
    });
    offset += 9 + length;
  }
  return frames;
}

const FRAME_NAMES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY',
  'WINDOW_UPDATE', 'CONTINUATION'];
const H2_ERRORS = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];

function describeFrames(frames) {
  return frames.map((f) => {
    const name = FRAME_NAMES[f.type] ?? `frame ${f.type}`;
    if (f.type === 7 && f.payload.length >= 8) {
      return `GOAWAY(${H2_ERRORS[f.payload.readUInt32BE(4)] ?? f.payload.readUInt32BE(4)})`;
    }
    return name;
  }).join(',');
}

/** An empty SETTINGS frame. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

/**
 * Opens a socket (`open` returns it), runs `onReady(socket)` once it is connected (after the handshake for TLS), and
 * records what comes back until the peer closes or `ms` passes: bytes, frames, the error, the time to close.
 */
function probeSocket(open, readyEvent, onReady, ms, settled = () => {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let error = null;
    let ready = false;
    let done = false;
    const socket = open();
    const finish = (closedByPeer) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      socket.destroy();
      settled();
      const data = Buffer.concat(chunks);
      resolve({
        closedByPeer,
        ready,
        error: error ? (error.code && !String(error.message).includes(error.code)
          ? `${error.code} ${error.message}` : error.message) : null,
        bytes: data.length,
        data,
        frames: parseFrames(data),
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on(readyEvent, () => {
      ready = true;
      try {
        onReady(socket);
      } catch (e) {
        error = e;
      }
      settled();
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => finish(true));
  });
}

/** A TLS connection that sends the HTTP/2 preface and SETTINGS, presenting `identity` (or none). */
function tlsPrefaceProbe(ctx, identity, ms = 10_000, tlsExtra = {}) {
  return probeSocket(
    () => tls.connect({ ...ctx.tlsOptions(identity), ...tlsExtra }),
    'secureConnect',
    (socket) => socket.write(Buffer.concat([PREFACE, EMPTY_SETTINGS])),
    ms);
}

/** What a transport probe saw, in one line. */
function describeProbe(result) {
  const parts = [];
  parts.push(result.ready ? 'connected' : 'never connected');
  if (result.frames.length > 0) {
    parts.push(`frames ${describeFrames(result.frames)}`);
  } else if (result.bytes > 0) {
    const text = result.data.subarray(0, 48).toString('latin1');
    parts.push(/^[\x20-\x7e\r\n]+$/.test(text)
      ? `${result.bytes} bytes, no HTTP/2 frame: "${text.split('\r\n')[0]}"`
      : `${result.bytes} bytes, no HTTP/2 frame`);
  } else {
    parts.push('no bytes');
  }
  if (result.error) {
    parts.push(`error: ${result.error}`);
  }
  parts.push(result.closedByPeer ? `closed after ${result.ms} ms` : `still open after ${result.ms} ms`);
  return parts.join('; ');
}

/** Whether the peer spoke HTTP/2 to us: any SETTINGS frame from the server. */
function spokeHttp2(result) {
  return result.frames.some((f) => f.type === 4 && (f.flags & 1) === 0);
}

/**
 * A raw gRPC call on an HTTP/2 session: writes `body` (already framed) and collects status. Resolves
 * { status, httpStatus, grpcStatus, grpcMessage, data, rstCode, error, ms }.
 */
function rawGrpcCall(session, method, body, { headers = {}, ms = 10_000, endStream = true, dribble = null } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const result = { httpStatus: null, grpcStatus: null, grpcMessage: null, data: [], rstCode: null, error: null };
    let done = false;
    let interval = null;
    let request;
    const finish = (why) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      clearInterval(interval);
      result.why = why;
      result.ms = Date.now() - started;
      result.data = Buffer.concat(result.data);
      try {
        request?.close();
      } catch {
        // already closed
      }
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), ms);
    try {
      request = session.request({
        ':method': 'POST',
        ':path': `/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...headers,
      }, { endStream: false });
    } catch (e) {
      result.error = e.message;
      finish('request failed');
      return;
    }
    const take = (h) => {
      if (h[':status']) {
        result.httpStatus = Number(h[':status']);
      }
      if (h['grpc-status'] !== undefined) {
        result.grpcStatus = Number(h['grpc-status']);
        result.grpcMessage = h['grpc-message'] ? decodeURIComponent(h['grpc-message']) : '';
      }
    };
    request.on('response', take);
    request.on('trailers', take);
    request.on('data', (chunk) => result.data.push(chunk));
    request.on('error', (e) => {
      result.error = e.message;
    });
    request.on('close', () => {
      result.rstCode = request.rstCode;
      finish('closed');
    });
    if (dribble) {
      let i = 0;
      interval = setInterval(() => {
        if (i >= body.length || request.closed || request.destroyed) {
          clearInterval(interval);
          return;
        }
        request.write(body.subarray(i, i + dribble.bytes));
        i += dribble.bytes;
      }, dribble.everyMs);
    } else if (body) {
      request.write(body);
      if (endStream) {
        request.end();
      }
    }
  });
}

function describeRaw(r) {
  const parts = [];
  if (r.httpStatus !== null) {
    parts.push(`HTTP ${r.httpStatus}`);
  }
  if (r.grpcStatus !== null) {
    parts.push(`${statusName(r.grpcStatus)}${r.grpcMessage ? ` "${r.grpcMessage}"` : ''}`);
  }
  if (r.rstCode) {
    parts.push(`RST_STREAM(${H2_ERRORS[r.rstCode] ?? r.rstCode})`);
  }
  if (r.error) {
    parts.push(`error: ${r.error}`);
  }
  parts.push(r.why === 'timeout' ? `no answer after ${r.ms} ms` : `after ${r.ms} ms`);
  return parts.join('; ');
}

module.exports = {
  PROTO,
  SERVICE,
  WORKER_ID_HEADER,
  TENSOR_BYTES,
  PREFACE,
  EMPTY_SETTINGS,
  H2_ERRORS,
  grpc,
  proto,
  methods,
  sleep,
  withTimeout,
  statusName,
  makeContext,
  nextAssignment,
  cover,
  wellFormedResult,
  grpcFrame,
  parseFrames,
  describeFrames,
  probeSocket,
  tlsPrefaceProbe,
  describeProbe,
  spokeHttp2,
  rawGrpcCall,
  describeRaw,
  randomBytes: crypto.randomBytes,
  net,
  tls,
};
