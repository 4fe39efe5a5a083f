using CnnDistributed.Worker.Hosting;
using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddWorkerSources(args, Environment.GetEnvironmentVariable);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
builder.Services.AddTrainingWorker(builder.Configuration);
try
{
    using var host = builder.Build();
    _ = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;
    await host.RunAsync();
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Failures.First()}");
    return 2;
}
catch (FormatException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 2;
}
return Environment.ExitCode;
