using System.CommandLine;
using System.Globalization;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>The flags of <c>train</c> (CONTRACT §2 plus <c>--shards</c>, <c>--lr-step-epochs</c>, <c>--lr-gamma</c>) and their binding.</summary>
public sealed class TrainCommandLine
{
    private readonly Option<string?> _data = new("--data") { Description = "Folder with the four MNIST-format IDX files (raw or .gz) [bundled data/mnist-sample]" };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Samples per optimizer step", DefaultValueFactory = _ => 64 };
    private readonly Option<float> _lr = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.1f };
    private readonly Option<float> _momentum = new("--momentum") { Description = "SGD momentum in [0, 1)", DefaultValueFactory = _ => 0f };
    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "Nesterov momentum" };
    private readonly Option<float> _weightDecay = new("--weight-decay") { Description = "L2 weight decay", DefaultValueFactory = _ => 0f };
    private readonly Option<string> _lrSchedule = new("--lr-schedule") { Description = "constant, step or cosine", DefaultValueFactory = _ => "constant" };
    private readonly Option<int> _lrStepEpochs = new("--lr-step-epochs") { Description = "Step schedule: epochs between decays", DefaultValueFactory = _ => 3 };
    private readonly Option<float> _lrGamma = new("--lr-gamma") { Description = "Step schedule: factor per decay", DefaultValueFactory = _ => 0.1f };
    private readonly Option<int> _warmupSteps = new("--warmup-steps") { Description = "Linear learning-rate warm-up steps", DefaultValueFactory = _ => 0 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the initial weights and data order", DefaultValueFactory = _ => 1UL };
    private readonly Option<int> _workers = new("--workers") { Description = "Local workers over loopback gRPC (0: the engine in this process, no gRPC)", DefaultValueFactory = _ => 2 };
    private readonly Option<int?> _threads = new("--threads") { Description = "Threads per worker [cores / workers]" };
    private readonly Option<string> _device = new("--device") { Description = "auto, cpu, cuda or opencl", DefaultValueFactory = _ => DeviceChoice.Auto };
    private readonly Option<long?> _maxSteps = new("--max-steps") { Description = "Stop after this many optimizer steps" };
    private readonly Option<bool> _noShuffle = new("--no-shuffle") { Description = "Visit the training samples in file order" };
    private readonly Option<bool> _normalize = new("--normalize") { Description = "Inputs (x/255 - 0.1307)/0.3081 instead of x/255" };
    private readonly Option<string?> _initWeights = new("--init-weights") { Description = "Start from these weights (.safetensors) instead of the seeded init" };
    private readonly Option<string?> _out = new("--out") { Description = "Output folder [runs/<utc-timestamp>]" };
    private readonly Option<bool> _quiet = new("--quiet") { Description = "Print only errors and the final result" };
    private readonly Option<bool> _json = new("--json") { Description = "Progress as JSON lines" };
    private readonly Option<int> _checkpointEvery = new("--checkpoint-every") { Description = "Steps between checkpoints in --out (0: only at the end and when stopped)", DefaultValueFactory = _ => 500 };
    private readonly Option<string?> _resume = new("--resume") { Description = "Continue the job whose --out folder (with checkpoint.bin) this is; outputs continue there" };
    private readonly Option<double> _workerWaitTimeout = new("--worker-wait-timeout") { Description = "Seconds a step waits for a worker to join when none is left", DefaultValueFactory = _ => 120 };
    private readonly Option<int> _shards = new("--shards") { Description = "Shards per minibatch (power of two); part of the result's identity", DefaultValueFactory = _ => 8 };

    public IEnumerable<Option> All =>
    [
        _data, _epochs, _batchSize, _lr, _momentum, _nesterov, _weightDecay, _lrSchedule, _lrStepEpochs, _lrGamma,
        _warmupSteps, _seed, _workers, _threads, _device, _maxSteps, _noShuffle, _normalize, _initWeights, _out,
        _quiet, _json, _shards, _checkpointEvery, _resume, _workerWaitTimeout,
    ];

    public TrainCommandOptions Bind(ParseResult parseResult)
    {
        var workers = parseResult.GetValue(_workers);
        var resume = parseResult.GetValue(_resume);
        return new TrainCommandOptions
        {
            Data = parseResult.GetValue(_data) ?? SampleDataLocator.Find(),
            Epochs = parseResult.GetValue(_epochs),
            BatchSize = parseResult.GetValue(_batchSize),
            Lr = parseResult.GetValue(_lr),
            Momentum = parseResult.GetValue(_momentum),
            Nesterov = parseResult.GetValue(_nesterov),
            WeightDecay = parseResult.GetValue(_weightDecay),
            LrSchedule = parseResult.GetValue(_lrSchedule) ?? "constant",
            LrStepEpochs = parseResult.GetValue(_lrStepEpochs),
            LrGamma = parseResult.GetValue(_lrGamma),
            WarmupSteps = parseResult.GetValue(_warmupSteps),
            Seed = parseResult.GetValue(_seed),
            Workers = workers,
            Threads = parseResult.GetValue(_threads) ?? ThreadBudget.DefaultPerWorker(workers),
            Device = parseResult.GetValue(_device) ?? DeviceChoice.Auto,
            MaxSteps = parseResult.GetValue(_maxSteps),
            NoShuffle = parseResult.GetValue(_noShuffle),
            Normalize = parseResult.GetValue(_normalize),
            InitWeights = parseResult.GetValue(_initWeights),
            Out = parseResult.GetValue(_out) ?? resume ?? DefaultOut(),
            Quiet = parseResult.GetValue(_quiet),
            Json = parseResult.GetValue(_json),
            Shards = parseResult.GetValue(_shards),
            CheckpointEvery = parseResult.GetValue(_checkpointEvery),
            Resume = resume,
            WorkerWaitTimeout = parseResult.GetValue(_workerWaitTimeout),
            ExplicitFlags = All.Where(option => parseResult.GetResult(option) is { Implicit: false }).Select(option => option.Name).ToHashSet(),
        };
    }

    private static string DefaultOut() =>
        Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
}
