'use strict';
// Transport and TLS identity: who may talk to the training port at all (docs/security.md, "Threat model", "Limits").
// A refused peer must never see the coordinator speak HTTP/2 (no SETTINGS frame from the server) and must be closed.

const {
  net, tls, PREFACE, EMPTY_SETTINGS, probeSocket, tlsPrefaceProbe, describeProbe, spokeHttp2, randomBytes,
  describeFrames,
} = require('../lib/common');

/** A handshake refusal: the connection closed before any HTTP/2 frame came from the coordinator. */
function refusedDuringHandshake(result) {
  return { pass: result.closedByPeer && !spokeHttp2(result), detail: describeProbe(result) };
}

/** The first bytes of a TLS 1.2 ClientHello record header announcing 512 bytes. */
const CLIENT_HELLO_START = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

module.exports = [
  {
    name: 'no-client-certificate',
    async run(ctx) {
      return refusedDuringHandshake(await tlsPrefaceProbe(ctx, 'none'));
    },
  },
  {
    name: 'foreign-ca-certificate',
    async run(ctx) {
      return refusedDuringHandshake(await tlsPrefaceProbe(ctx, 'foreign'));
    },
  },
  {
    name: 'server-certificate-as-client',
    async run(ctx) {
      return refusedDuringHandshake(await tlsPrefaceProbe(ctx, 'coordinator'));
    },
  },
  {
    name: 'plaintext-h2c',
    async run(ctx) {
      const result = await probeSocket(
        () => net.connect({ host: ctx.host, port: ctx.port }),
        'connect',
        (socket) => socket.write(Buffer.concat([PREFACE, EMPTY_SETTINGS])),
        10_000);
      return refusedDuringHandshake(result);
    },
  },
  {
    name: 'garbage-after-tls-handshake',
    async run(ctx) {
      // A valid worker certificate, then bytes that are not the HTTP/2 preface.
      const garbage = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), randomBytes(256)]);
      const result = await probeSocket(
        () => tls.connect(ctx.tlsOptions('worker')),
        'secureConnect',
        (socket) => socket.write(garbage),
        10_000);
      const streamsOpened = result.frames.some((f) => f.type === 1);
      return {
        pass: result.ready && result.closedByPeer && !streamsOpened,
        detail: describeProbe(result),
      };
    },
  },
  {
    name: 'slowloris-handshake',
    background: true,
    timeoutMs: 40_000,
    async run(ctx) {
      // A ClientHello one byte per second: the handshake timeout (10 s) must close it.
      const bytes = Buffer.concat([CLIENT_HELLO_START, randomBytes(64)]);
      let timer;
      const result = await probeSocket(
        () => net.connect({ host: ctx.host, port: ctx.port }),
        'connect',
        (socket) => {
          let i = 0;
          timer = setInterval(() => {
            if (i < bytes.length && !socket.destroyed) {
              socket.write(bytes.subarray(i, ++i));
            }
          }, 1000);
        },
        30_000);
      clearInterval(timer);
      return { pass: result.closedByPeer && !spokeHttp2(result) && result.ms <= 20_000, detail: describeProbe(result) };
    },
  },
  {
    name: 'many-partial-connections',
    last: true,
    timeoutMs: 90_000,
    async run(ctx) {
      return flood(ctx, ctx.connections);
    },
  },
];

/**
 * Opens `total` connections, at most 200 handshakes at once: half stop inside the TLS ClientHello, half complete the
 * handshake with a valid certificate, send the HTTP/2 preface and SETTINGS, then stop in the middle of a HEADERS
 * frame. None of them answers pings. The coordinator must close every one of them (handshake timeout, keep-alive
 * timeout) and must keep admitting honest workers meanwhile.
 */
async function flood(ctx, total) {
  const started = Date.now();
  const openLimit = 200;
  const partialFrame = Buffer.from([0x00, 0x10, 0x00, 0x01, 0x05]); // 5 of a HEADERS frame header's 9 bytes
  const outcomes = [];
  let next = 0;
  let maxOpen = 0;
  let open = 0;

  // At most `openLimit` connections are between connect and handshake at once; each is then held until the
  // coordinator closes it (or 30 s pass).
  const holders = [];
  await new Promise((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < openLimit && next < total) {
        const viaTls = next++ % 2 === 1;
        inFlight++;
        open++;
        maxOpen = Math.max(maxOpen, open);
        let counted = false;
        const settled = () => {
          if (counted) {
            return;
          }
          counted = true;
          inFlight--;
          if (next < total) {
            setImmediate(pump);
          } else if (inFlight === 0) {
            resolve();
          }
        };
        holders.push(probeSocket(
          () => (viaTls ? tls.connect(ctx.tlsOptions('worker')) : net.connect({ host: ctx.host, port: ctx.port })),
          viaTls ? 'secureConnect' : 'connect',
          (socket) => socket.write(viaTls
            ? Buffer.concat([PREFACE, EMPTY_SETTINGS, partialFrame])
            : CLIENT_HELLO_START),
          30_000,
          settled).then((r) => {
          open--;
          outcomes.push({ viaTls, ...r, data: null });
        }));
      }
    };
    pump();
  });
  const openedMs = Date.now() - started;

  // While the flood is held open: an honest registration must still be admitted.
  const probeClient = ctx.client('worker');
  const probe = await ctx.register(probeClient, { name: 'hostile-flood-probe' });
  probeClient.close();
  const admitted = !probe.error && probe.reply.outcome === 'accepted';

  await Promise.all(holders);
  const totalMs = Date.now() - started;
  const tlsOnes = outcomes.filter((o) => o.viaTls);
  const tcpOnes = outcomes.filter((o) => !o.viaTls);
  const stillOpen = outcomes.filter((o) => !o.closedByPeer).length;
  const handshaken = tlsOnes.filter((o) => o.ready).length;
  const streams = outcomes.filter((o) => o.frames.some((f) => f.type === 1)).length;
  const slowest = (list) => Math.max(0, ...list.filter((o) => o.closedByPeer).map((o) => o.ms));
  const goaways = tlsOnes.filter((o) => o.frames.some((f) => f.type === 7));
  const sample = goaways[0] ? describeFrames(goaways[0].frames) : 'none';
  const detail = `${total} connections (max ${maxOpen} open at once) in ${(openedMs / 1000).toFixed(1)} s; `
    + `${stillOpen} left open by the coordinator after 30 s; partial ClientHello closed within ${slowest(tcpOnes)} ms; `
    + `${handshaken}/${tlsOnes.length} TLS ones handshaken then closed within ${slowest(tlsOnes)} ms `
    + `(frames seen: ${sample}); registration during the flood ${admitted ? 'admitted' : `NOT admitted (${
      probe.error ? probe.error.details : probe.reply.refused.reason})`}; ${(totalMs / 1000).toFixed(1)} s in all`;
  return { pass: stillOpen === 0 && streams === 0 && admitted, detail };
}
