using System.CommandLine;
using CnnDistributed.Hosting;
using CnnDistributed.Hosting.Flags;
using CnnDistributed.Worker.Hosting;
using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

var root = new RootCommand(
    "cnnd-worker: computes the shards a cnnd coordinator assigns and streams back their gradients");
var flags = new FlagSet(root, WorkerFlags.All);
root.SetAction((parseResult, _) => RunAsync(flags.ToConfiguration(parseResult)));
var parsed = root.Parse(EnvironmentArguments.Complete(root, args, Environment.GetEnvironmentVariable));
if (parsed.Errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"error: {parsed.Errors[0].Message}");
    return ExitCodes.Usage;
}
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// The worker runs as a generic host until the job ends; its exit code is the worker's (WorkerService).
static async Task<int> RunAsync(IConfiguration configuration)
{
    var builder = Host.CreateApplicationBuilder(HostSettings.Generic);
    builder.Logging
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("System.Net.Http", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning);
    builder.Services.AddTrainingWorker(configuration);
    try
    {
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        _ = host.Services.GetRequiredService<WorkerRuntime>();
        await host.RunAsync();
    }
    catch (OptionsValidationException e)
    {
        await Console.Error.WriteLineAsync($"error: {e.Failures.First()}");
        return ExitCodes.Usage;
    }
    catch (InvalidDataException e)
    {
        await Console.Error.WriteLineAsync($"error: --tls {e.Message}");
        return ExitCodes.Usage;
    }
    return Environment.ExitCode;
}
