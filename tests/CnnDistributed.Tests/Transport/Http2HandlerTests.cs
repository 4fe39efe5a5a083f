using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CnnDistributed.Worker.Runtime.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace CnnDistributed.Tests.Transport;

/// <summary>The worker's HTTP/2 client against a real Kestrel on a loopback port, and against peers that misbehave.</summary>
[Trait("Category", "Integration")]
public sealed class Http2HandlerTests
{
    private static readonly Http2Timeouts NoKeepAlive = new(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(5));

    [Fact]
    public async Task LargeBodiesCrossSmallFlowControlWindowsIntactInBothDirections()
    {
        await using var server = await StartKestrelAsync(kestrel =>
        {
            kestrel.Limits.Http2.InitialStreamWindowSize = 65_535;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 131_072;
        }, app => app.MapPost("/echo", async context =>
        {
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            await context.Response.Body.WriteAsync(body.ToArray());
            await context.Response.Body.WriteAsync(body.ToArray());
        }));
        using var client = CreateClient(server.Address);
        var sent = RandomNumberGenerator.GetBytes(3_000_000);

        using var response = await client.SendAsync(Post(server.Address, "/echo", sent), HttpCompletionOption.ResponseHeadersRead);
        var received = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal(2 * sent.Length, received.Length);
        Assert.True(sent.AsSpan().SequenceEqual(received.AsSpan(0, sent.Length)));
        Assert.True(sent.AsSpan().SequenceEqual(received.AsSpan(sent.Length)));
    }

    [Fact]
    public async Task TrailersAndHeadersOfManyRequestsOnOneConnectionArrive()
    {
        await using var server = await StartKestrelAsync(_ => { }, app => app.MapPost("/trailers", async context =>
        {
            context.Response.Headers["x-request"] = context.Request.Headers["x-request"];
            await context.Response.WriteAsync("body");
            context.Response.AppendTrailer("x-trailer", "done " + context.Request.Headers["x-request"]);
        }));
        using var client = CreateClient(server.Address);

        for (var request = 0; request < 20; request++)
        {
            var message = Post(server.Address, "/trailers", [1, 2, 3]);
            message.Headers.Add("x-request", $"r{request}");
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal("body", body);
            Assert.Equal($"r{request}", Assert.Single(response.Headers.GetValues("x-request")));
            Assert.Equal($"done r{request}", Assert.Single(response.TrailingHeaders.GetValues("x-trailer")));
        }
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task CancellingBeforeTheResponseResetsTheStreamAndTheConnectionStaysUsable()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartKestrelAsync(_ => { }, app =>
        {
            app.MapPost("/hang", async context =>
            {
                context.RequestAborted.Register(() => aborted.TrySetResult());
                arrived.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            });
            app.MapPost("/ok", context => context.Response.WriteAsync("ok"));
        });
        using var client = CreateClient(server.Address);
        using var cancel = new CancellationTokenSource();

        // Cancelled once the server holds the request: a timer could fire before a loaded machine even sent it.
        var hanging = client.SendAsync(Post(server.Address, "/hang", [1]), cancel.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var after = await client.SendAsync(Post(server.Address, "/ok", [1]));

        Assert.Equal("ok", await after.Content.ReadAsStringAsync());
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task ACallerThatBlocksTheThreadItResumedOnStillAnswersTheServersPings()
    {
        // Kestrel pings a connection that has sent nothing for 1 s and closes it when the answer takes over 1 s, as the
        // coordinator does with a worker that computes; the client must answer while the caller holds its thread.
        await using var server = await StartKestrelAsync(kestrel =>
        {
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(1);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(1);
        }, app => app.MapPost("/drip", async context =>
        {
            await context.Response.Body.FlushAsync();
            await Task.Delay(200);
            await context.Response.Body.WriteAsync("a"u8.ToArray());
            await context.Response.Body.FlushAsync();
            await Task.Delay(6000);
            await context.Response.Body.WriteAsync("b"u8.ToArray());
        }));
        using var client = CreateClient(server.Address);

        using var response = await client.SendAsync(Post(server.Address, "/drip", [1]), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[1];
        var firstCount = await Task.Run(async () =>
        {
            // No synchronization context here: the read resumes on whichever thread completed it, and keeps it.
            var count = await body.ReadAsync(first);
            Thread.Sleep(5000);
            return count;
        });
        var rest = new MemoryStream();
        await body.CopyToAsync(rest);

        Assert.Equal(1, firstCount);
        Assert.Equal("ab", Encoding.ASCII.GetString([first[0], .. rest.ToArray()]));
    }

    [Fact]
    public async Task AnUnreachableAddressFailsWithAConnectionErrorNamingIt()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        listener.Dispose();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var client = CreateClient(address);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Post(address, "/", [1])));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task APeerThatStopsAnsweringPingsFailsTheRequestWithAKeepAliveError()
    {
        using var peer = new SilentPeer();
        var timeouts = new Http2Timeouts(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        using var client = new HttpClient(new Http2Handler(timeouts, null, TimeProvider.System));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Post(peer.Address, "/", [1])).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Contains("keep-alive", Messages(error));
    }

    [Fact]
    public async Task AFrameAboveTheAnnouncedMaximumIsAProtocolErrorNotAHang()
    {
        using var peer = new SilentPeer(reply: [0, 0, 0, (byte)Http2FrameType.Settings, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]);
        using var client = new HttpClient(new Http2Handler(NoKeepAlive, null, TimeProvider.System));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Post(peer.Address, "/", [1])).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Contains("HTTP/2 protocol error", Messages(error));
        Assert.Contains("larger than", Messages(error));
    }

    [Fact]
    public async Task AnHttp1ServerIsNamedAsNotSpeakingHttp2()
    {
        using var peer = new SilentPeer(reply: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var client = new HttpClient(new Http2Handler(NoKeepAlive, null, TimeProvider.System));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(Post(peer.Address, "/", [1])).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Contains($"{peer.Address.Authority} does not speak HTTP/2", Messages(error));
    }

    [Fact]
    public async Task AServerThatGoesAwayIsReplacedByANewConnection()
    {
        await using var first = await StartKestrelAsync(_ => { }, app => app.MapPost("/ok", context => context.Response.WriteAsync("first")));
        var address = first.Address;
        using var client = CreateClient(address);
        using (var response = await client.SendAsync(Post(address, "/ok", [1])))
        {
            Assert.Equal("first", await response.Content.ReadAsStringAsync());
        }
        await first.DisposeAsync();
        await using var second = await StartKestrelAsync(_ => { }, app => app.MapPost("/ok", context => context.Response.WriteAsync("second")), address.Port);

        using var again = await client.SendAsync(Post(address, "/ok", [1]));

        Assert.Equal("second", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AServerShuttingDownLetsTheRequestInFlightFinish()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartKestrelAsync(_ => { }, app => app.MapPost("/slow", async context =>
        {
            started.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("finished");
        }));
        using var client = CreateClient(server.Address);

        var sending = client.SendAsync(Post(server.Address, "/slow", [1]));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = server.App.StopAsync();
        await Task.Delay(100);
        release.SetResult();
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AStreamTheServerAbortsFailsTheBodyReadInsteadOfEndingItEarly()
    {
        await using var server = await StartKestrelAsync(_ => { }, app => app.MapPost("/abort", async context =>
        {
            await context.Response.Body.WriteAsync(new byte[1000]);
            await context.Response.Body.FlushAsync();
            context.Abort();
        }));
        using var client = CreateClient(server.Address);

        using var response = await client.SendAsync(Post(server.Address, "/abort", [1]), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            var buffer = new byte[4096];
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        });

        Assert.Contains("reset stream", error.Message);
    }

    /// <summary>The messages of an exception and its inner exceptions, as gRPC reports them in a status detail.</summary>
    private static string Messages(Exception error) => error.InnerException is null ? error.Message : $"{error.Message} {Messages(error.InnerException)}";

    private static HttpClient CreateClient(Uri address) => new(new Http2Handler(NoKeepAlive, null, TimeProvider.System)) { BaseAddress = address };

    private static HttpRequestMessage Post(Uri address, string path, byte[] body) => new(HttpMethod.Post, new Uri(address, path))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = new ByteArrayContent(body),
    };

    private static async Task<KestrelServer> StartKestrelAsync(Action<KestrelServerOptions> configure, Action<WebApplication> map, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var connections = new KestrelServer();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            configure(kestrel);
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => context =>
                {
                    Interlocked.Increment(ref connections.Count);
                    return next(context);
                });
            });
        });
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        connections.App = app;
        return connections;
    }

    private sealed class KestrelServer : IAsyncDisposable
    {
        public int Count;

        public WebApplication App { get; set; } = null!;

        public int Connections => Volatile.Read(ref Count);

        public Uri Address => new(App.Urls.Single());

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>A TCP peer that reads whatever it is sent and answers nothing, or one fixed reply.</summary>
    private sealed class SilentPeer : IDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _accepted = [];

        public SilentPeer(byte[]? reply = null)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}");
            _ = Task.Run(async () =>
            {
                var socket = await _listener.AcceptAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
                if (reply is not null)
                {
                    await socket.SendAsync(reply);
                }
                var sink = new byte[65536];
                while (await socket.ReceiveAsync(sink) > 0)
                {
                }
            });
        }

        public Uri Address { get; }

        public void Dispose()
        {
            _listener.Dispose();
            lock (_accepted)
            {
                _accepted.ForEach(socket => socket.Dispose());
            }
        }
    }
}
