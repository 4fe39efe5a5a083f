using System.Net;
using CnnDistributed.Coordinator.Hosting;

namespace CnnDistributed.Tests.Distributed;

[Trait("Category", "Unit")]
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:0", false, "127.0.0.1:0")]
    [InlineData("http://0.0.0.0:5000", false, "0.0.0.0:5000")]
    [InlineData("https://localhost:7000", true, "127.0.0.1:7000")]
    [InlineData("https://0.0.0.0:5000", true, "0.0.0.0:5000")]
    public void ParsesListenUrlsWhoseSchemeMatchesTheTransport(string url, bool tls, string endpoint) =>
        Assert.Equal(IPEndPoint.Parse(endpoint), ListenAddress.Parse(url, tls));

    [Theory]
    [InlineData("https://0.0.0.0:5000", false)]
    [InlineData("http://0.0.0.0:5000", true)]
    [InlineData("0.0.0.0:5000", true)]
    [InlineData("https://example.org:5000", true)]
    public void RefusesUrlsItCannotServe(string url, bool tls) =>
        Assert.Throws<ArgumentException>(() => ListenAddress.Parse(url, tls));
}
