using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Membership;
using CnnDistributed.Coordinator.Steps;
using CnnDistributed.Core.Model;
using CnnDistributed.Core.Training;
using CnnDistributed.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>
/// A <see cref="DistributedStepExecutor"/> with no network, on fake time: its workers are <see cref="ScriptedWorker"/>s
/// that the test plays, its steps those of <see cref="ShortTrainingRun"/>, its log lines captured.
/// </summary>
public sealed class ScriptedExecutor : IAsyncDisposable
{
    private readonly IReadOnlyList<StepWork> _steps;
    private readonly float[] _parameters = new float[ModelShape.ParameterCount];
    private readonly float[] _gradientSum = new float[ModelShape.ParameterCount];
    private readonly ILoggerFactory _loggerFactory;

    public ScriptedExecutor(int steps)
    {
        _steps = ShortTrainingRun.Steps(steps);
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(Logs));
        var job = Options.Create(new TrainingOptions { Shards = ShortTrainingRun.ShardCount });
        var options = Options.Create(CoordinatorOptions);
        Registry = new WorkerRegistry(job, options, Time, _loggerFactory.CreateLogger<WorkerRegistry>());
        Executor = new DistributedStepExecutor(Registry, job, options, Time, _loggerFactory.CreateLogger<DistributedStepExecutor>());
    }

    /// <summary>
    /// The coordinator's options; spot checks off, because scripted workers answer only the assignments a test expects
    /// (tests of the checks turn them on).
    /// </summary>
    public CoordinatorOptions CoordinatorOptions { get; } = new() { VerifyFraction = 0 };

    public FakeTimeProvider Time { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public WorkerRegistry Registry { get; }

    public DistributedStepExecutor Executor { get; }

    public int StepCount => _steps.Count;

    /// <summary>Registers a scripted worker that takes part from the next step on.</summary>
    public ScriptedWorker Join(string name) => ScriptedWorker.Join(Registry, name);

    /// <summary>
    /// Starts step <paramref name="index"/>. The executor arms every deadline before its first wait, so when this
    /// returns the deadlines count from the current fake time.
    /// </summary>
    public Task Compute(int index) => Executor.ComputeAsync(_steps[index], _parameters, _gradientSum, CancellationToken.None).AsTask();

    /// <summary>
    /// Answers each assignment when a worker of its speed would: fake time advances from the moment the assignments
    /// were sent to each answer in turn, so the round trips the coordinator measures give those speeds.
    /// </summary>
    public void AnswerInTime(params (ScriptedWorker Worker, StepAssignment Assignment, double SamplesPerSecond)[] answers)
    {
        var elapsed = TimeSpan.Zero;
        foreach (var (worker, assignment, speed) in answers.OrderBy(a => ScriptedWorker.Samples(a.Assignment) / a.SamplesPerSecond))
        {
            var due = TimeSpan.FromSeconds(ScriptedWorker.Samples(assignment) / speed);
            Time.Advance(due - elapsed);
            elapsed = due;
            worker.Answer(assignment, speed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Executor.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
