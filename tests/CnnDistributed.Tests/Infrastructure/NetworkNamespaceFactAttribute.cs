namespace CnnDistributed.Tests.Infrastructure;

/// <summary>A fact that runs only where <see cref="NetworkNamespace"/> can create namespaces (Linux, root, iproute2); elsewhere it is skipped with the reason.</summary>
public sealed class NetworkNamespaceFactAttribute : FactAttribute
{
    public NetworkNamespaceFactAttribute() => Skip = NetworkNamespace.UnavailableReason;
}
