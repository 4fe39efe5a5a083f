using CnnDistributed.Hosting.Flags;
using CnnDistributed.Worker.Runtime;
using CnnDistributed.Worker.Runtime.Backends;
using CnnDistributed.Worker.Runtime.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Hosting;

/// <summary>The worker executable's services.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the worker runtime, its options bound from <paramref name="configuration"/> (the flags of
    /// <see cref="WorkerFlags"/>) and validated at start, and the hosted services that run it.
    /// </summary>
    public static IServiceCollection AddTrainingWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFlagOptions<WorkerOptions, WorkerOptionsValidator>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IWorkerBackendFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            return new WorkerBackendFactory(options.Device, options.Threads);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            var clock = sp.GetRequiredService<TimeProvider>();
            return new WorkerRuntime(
                options,
                WorkerTls.Load(options, clock),
                sp.GetRequiredService<IWorkerBackendFactory>(),
                sp.GetRequiredService<ILogger<WorkerRuntime>>(),
                clock);
        });
        services.AddHostedService<WorkerHealthEndpoint>();
        services.AddHostedService<WorkerService>();
        return services;
    }
}
