using CnnDistributed.Core.Training;
using Spectre.Console;

namespace CnnDistributed.Coordinator.Progress;

/// <summary>
/// Interactive progress: a Spectre.Console bar over all steps whose label shows epoch, loss, accuracy and samples/s,
/// with the remaining time, and one line per finished epoch above it. Only for a real terminal: with stdout
/// redirected Spectre's progress prints nothing.
/// </summary>
public sealed class LiveProgressSink : IProgressSink
{
    private readonly IAnsiConsole _console;
    private readonly ProgressTask _task;
    private readonly int _epochs;

    private LiveProgressSink(IAnsiConsole console, ProgressTask task, int epochs)
    {
        _console = console;
        _task = task;
        _epochs = epochs;
    }

    /// <summary>Runs <paramref name="job"/> while the bar is shown.</summary>
    public static Task<T> RunAsync<T>(
        IAnsiConsole console,
        int epochs,
        long totalSteps,
        Func<IProgressSink, Task<T>> job) =>
        console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(context => job(
                new LiveProgressSink(console, context.AddTask("starting", maxValue: totalSteps), epochs)));

    public void OnStep(StepProgress progress)
    {
        _task.Description = Markup.Escape(ProgressText.Step(progress));
        _task.Value = progress.Step;
    }

    public void OnEpoch(EpochMetrics metrics) => _console.WriteLine(ProgressText.Epoch(metrics, _epochs));
}
