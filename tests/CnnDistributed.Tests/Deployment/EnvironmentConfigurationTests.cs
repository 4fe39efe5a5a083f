using System.CommandLine;
using CnnDistributed.Coordinator.Cli;
using CnnDistributed.Hosting.Flags;
using CnnDistributed.Worker.Hosting;
using CnnDistributed.Worker.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Tests.Deployment;

[Trait("Category", "Unit")]
public sealed class EnvironmentConfigurationTests
{
    [Fact]
    public void CoordinatorFlagsAreReadFromTheirVariablesWhenMissingFromTheCommandLine()
    {
        using var signals = new TerminationSignals();
        var root = new System.CommandLine.RootCommand { TrainCommand.Create(CliConsole.Plain(TextWriter.Null, TextWriter.Null), signals) };
        var environment = new Dictionary<string, string> { ["CNND_EPOCHS"] = "3", ["CNND_BATCH_SIZE"] = "32", ["CNND_NESTEROV"] = "true" };

        var args = EnvironmentArguments.Complete(root, ["train", "--epochs", "5"], environment.GetValueOrDefault);

        Assert.Equal(["train", "--epochs", "5", "--batch-size=32", "--nesterov=true"], args);
    }

    [Fact]
    public void ABadValueInTheEnvironmentFailsLikeTheFlag()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string> { ["CNND_EPOCHS"] = "0" };

        var exitCode = CommandLineApp.Run(["train"], CliConsole.Plain(stdout, stderr), environment.GetValueOrDefault);

        Assert.Equal(2, exitCode);
        Assert.Equal("error: --epochs must be at least 1 (got 0)", stderr.ToString().Trim());
    }

    [Theory]
    [InlineData("--coordinator", "CNND_COORDINATOR")]
    [InlineData("--health-port", "CNND_HEALTH_PORT")]
    [InlineData("--connect-attempts", "CNND_CONNECT_ATTEMPTS")]
    public void WorkerVariablesAreNamedLikeTheFlags(string flag, string variable)
    {
        Assert.Contains(WorkerFlags.All, f => f.Name == flag);
        Assert.Equal(variable, EnvironmentArguments.VariableFor(flag));
    }

    [Fact]
    public void WorkerReadsTheEnvironmentAndTheCommandLineWins()
    {
        var environment = new Dictionary<string, string> { ["CNND_COORDINATOR"] = "http://coordinator:5000", ["CNND_INSECURE"] = "true", ["CNND_THREADS"] = "3", ["CNND_HEALTH_PORT"] = "8081" };

        var options = WorkerOptionsFrom(["--threads", "2"], environment);

        Assert.Equal("http://coordinator:5000", options.Value.Coordinator);
        Assert.Equal(2, options.Value.Threads);
        Assert.Equal(8081, options.Value.HealthPort);
    }

    [Fact]
    public void ABadWorkerVariableFailsValidationNamingTheFlag()
    {
        var environment = new Dictionary<string, string> { ["CNND_COORDINATOR"] = "http://coordinator:5000", ["CNND_INSECURE"] = "true", ["CNND_HEALTH_PORT"] = "70000" };

        var error = Assert.Throws<OptionsValidationException>(() => WorkerOptionsFrom([], environment).Value);

        Assert.Contains("--health-port must be between 0 (off) and 65535, got 70000", error.Failures);
    }

    [Theory]
    [InlineData("a\nforged log line", "--name: the worker's name contains control characters")]
    [InlineData(null, "--name: the worker's name is longer than 256 bytes")]
    public void AWorkerNameTheCoordinatorWouldRefuseFailsAtStart(string? name, string failure)
    {
        var environment = new Dictionary<string, string> { ["CNND_COORDINATOR"] = "http://coordinator:5000", ["CNND_INSECURE"] = "true" };

        var error = Assert.Throws<OptionsValidationException>(() => WorkerOptionsFrom(["--name", name ?? new string('n', 257)], environment).Value);

        Assert.Contains(failure, error.Failures);
    }

    private static IOptions<WorkerOptions> WorkerOptionsFrom(string[] args, Dictionary<string, string> environment)
    {
        var root = new RootCommand();
        var flags = new FlagSet(root, WorkerFlags.All);
        var parseResult = root.Parse(EnvironmentArguments.Complete(root, args, environment.GetValueOrDefault));
        Assert.Empty(parseResult.Errors);
        var configuration = flags.ToConfiguration(parseResult);
        return new ServiceCollection().AddTrainingWorker(configuration).BuildServiceProvider().GetRequiredService<IOptions<WorkerOptions>>();
    }
}
