using System.Net;
using CnnDistributed.Coordinator.Hosting;

namespace CnnDistributed.Tests.Distributed;

[Trait("Category", "Unit")]
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("http://0.0.0.0:5000", "0.0.0.0:5000")]
    [InlineData("http://localhost:7000", "127.0.0.1:7000")]
    public void ParsesHttpListenUrls(string url, string endpoint) =>
        Assert.Equal(IPEndPoint.Parse(endpoint), ListenAddress.Parse(url));

    [Theory]
    [InlineData("https://0.0.0.0:5000")]
    [InlineData("0.0.0.0:5000")]
    [InlineData("http://example.org:5000")]
    public void RefusesUrlsItCannotServeWithoutTls(string url) =>
        Assert.Throws<ArgumentException>(() => ListenAddress.Parse(url));
}
