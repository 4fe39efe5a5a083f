using System.CommandLine;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Training;
using CnnDistributed.Hosting;
using CnnDistributed.Hosting.Flags;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// The <c>cnnd</c> command line: parses, runs one verb and maps every failure to an exit code
/// (docs/commands.md). Bad input (parse errors, invalid values, unusable files) gives exit 2 and one
/// <c>error: …</c> line; anything else exit 1.
/// </summary>
public static class CommandLineApp
{
    private static readonly string[] Verbs = ["train", "serve", "evaluate", "bench", "health", "certs"];

    /// <summary>Runs one verb, writing to plain writers and reading no environment variables.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, CliConsole.Plain(output, error), _ => null);

    /// <summary>
    /// Runs one verb; options missing from <paramref name="args"/> come from <c>CNND_*</c> variables.
    /// </summary>
    public static int Run(string[] args, CliConsole console) => Run(args, console, Environment.GetEnvironmentVariable);

    /// <summary>
    /// Runs one verb; <paramref name="environment"/> supplies options missing from <paramref name="args"/>
    /// (<see cref="EnvironmentArguments"/>).
    /// </summary>
    public static int Run(string[] args, CliConsole console, Func<string, string?> environment)
    {
        using var signals = new TerminationSignals();
        var root = new RootCommand("cnnd: data-parallel CNN training on MNIST-format data")
        {
            TrainCommand.Create(console, signals),
            TrainCommand.CreateServe(console, signals),
            EvaluateCommand.Create(console),
            BenchCommand.Create(console, signals),
            HealthCommand.Create(console),
            PlotCommand.Create(console),
            PredictCommand.Create(console),
            CertsCommand.Create(console),
        };
        var parseResult = root.Parse(EnvironmentArguments.Complete(root, args, environment));
        if (parseResult.Errors.Count > 0)
        {
            return Fail(console, ExitCodes.Usage, UsageError(parseResult));
        }
        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (Exception e)
        {
            return Report(console, Unwrap(e), signals);
        }
    }

    private static int Report(CliConsole console, Exception e, TerminationSignals signals) => e switch
    {
        OperationCanceledException => Fail(console, signals.ExitCode, $"stopped by {signals.SignalName}"),
        _ when KnownFailure(e) is { } known => Fail(console, known.ExitCode, known.Message),
        _ => Fail(console, ExitCodes.Failure, $"unexpected failure: {e}"),
    };

    /// <summary>
    /// The exit code and the one line (after <c>error: </c>) of a failure the user can act on, or null for an
    /// unexpected one, whose detail is not for a user-facing line.
    /// </summary>
    public static (int ExitCode, string Message)? KnownFailure(Exception e) => e switch
    {
        UsageException or DataFormatException or DeviceUnavailableException => (ExitCodes.Usage, e.Message),
        OptionsValidationException invalid => (ExitCodes.Usage, invalid.Failures.First()),
        JobFailedException or DistributedStepException or TrainingDivergedException => (ExitCodes.Failure, e.Message),
        _ => null,
    };

    private static int Fail(CliConsole console, int exitCode, string message)
    {
        console.Error.WriteLine($"error: {message}");
        return exitCode;
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : e;

    private static string UsageError(ParseResult parseResult)
    {
        var unmatched = parseResult.UnmatchedTokens;
        if (unmatched.Count > 0)
        {
            var token = unmatched[0];
            if (token.StartsWith('-'))
            {
                return $"unrecognized option '{token}'";
            }
            return parseResult.CommandResult.Command is RootCommand
                ? $"unknown command '{token}' (expected one of: {string.Join(", ", Verbs)})"
                : $"unexpected argument '{token}'";
        }
        if (parseResult.CommandResult.Command is RootCommand)
        {
            return $"missing command (expected one of: {string.Join(", ", Verbs)})";
        }
        var message = parseResult.Errors[0].Message.TrimEnd('.');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : "invalid command line";
    }
}
