using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Worker.Hosting;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>The command-line flags of the worker executable and the option each sets.</summary>
    public static IDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--coordinator"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Coordinator)}",
        ["--device"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Device)}",
        ["--threads"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Threads)}",
        ["--name"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Name)}",
        ["--health-port"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.HealthPort)}",
        ["--connect-attempts"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.ConnectAttempts)}",
        ["--reconnect-timeout"] = $"{WorkerOptions.SectionName}:{nameof(WorkerOptions.ReconnectTimeoutSeconds)}",
    };

    /// <summary>Registers the worker runtime, its validated options (section <c>Worker</c>) and the hosted service that runs it.</summary>
    public static IServiceCollection AddTrainingWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IWorkerBackendFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            return new WorkerBackendFactory(options.Device, options.Threads);
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WorkerRuntime>(sp, sp.GetRequiredService<IOptions<WorkerOptions>>().Value));
        services.AddHostedService<WorkerHealthEndpoint>();
        services.AddHostedService<WorkerService>();
        return services;
    }
}
