using CnnDistributed.Coordinator.Benchmarks;
using CnnDistributed.Coordinator.Cluster;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Training;

// Usage: DistributedBench scaling <batch> <seconds> | coordinator <workers> <seconds>
// scaling: in-process CpuBackend(2) against 2 loopback workers × 1 thread; one JSON line each.
const int ShardCount = 8;
var what = args.Length > 0 ? args[0] : "scaling";
var seconds = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
var warmUp = TimeSpan.FromSeconds(args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3);
if (what == "coordinator")
{
    var workers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 32;
    Console.WriteLine((await CoordinatorCapacityBench.RunAsync(workers, 64, warmUp, seconds)).ToJsonLine());
    return;
}
var batch = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
var data = MnistDataset.Load(Path.Combine(AppContext.BaseDirectory, "../../../../../data/mnist-sample"));
using (var backend = new CpuBackend(2, InputScaling.UnitRange))
{
    await using var local = new LocalStepExecutor(backend, ShardCount);
    Console.WriteLine((await ExecutorThroughputBench.RunAsync("in-process", local, data.Train, batch, ShardCount, 2, warmUp, seconds)).ToJsonLine());
}
await using var cluster = await LocalCluster.StartAsync(2, 1, ShardCount, InputScaling.UnitRange);
Console.WriteLine((await ExecutorThroughputBench.RunAsync("distributed", cluster.Executor, data.Train, batch, ShardCount, 1, warmUp, seconds)).ToJsonLine());
