namespace CnnDistributed.Hosting.Tls;

/// <summary>The extended key usages the run's certificates carry and the two sides check.</summary>
public static class Oids
{
    /// <summary>id-kp-serverAuth: the coordinator's certificate.</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth: a worker's certificate.</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
}
