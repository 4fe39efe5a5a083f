using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

// Trains the CONTRACT §1 LeNet with libtorch on random MNIST-shaped data for a fixed time after a warm-up
// and prints one JSON line per (threads, batch) in the shape of `cnnd bench`, as the anchor for its figures.
// Usage: dotnet run -c Release --project bench/TorchSharpAnchor -- [seconds] [threads,...] [batch,...]
var seconds = args.Length > 0 ? double.Parse(args[0]) : 5;
var threadCounts = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 2];
var batchSizes = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [16, 64, 256];
foreach (var threads in threadCounts)
{
    torch.set_num_threads(threads);
    foreach (var batch in batchSizes)
    {
        torch.manual_seed(1);
        var model = nn.Sequential(
            ("conv1", nn.Conv2d(1, 6, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc1", nn.Linear(256, 120)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(120, 10)));
        var optimizer = optim.SGD(model.parameters(), 0.1);
        var loss = nn.CrossEntropyLoss();
        var x = rand(batch, 1, 28, 28);
        var y = randint(0, 10, batch, dtype: int64);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            loss.call(model.call(x), y).backward();
            optimizer.step();
        }
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 2)
        {
            Step();
        }
        var steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            Step();
            steps++;
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            what = "train-libtorch",
            device = "cpu",
            threads,
            workers = 1,
            batch_size = batch,
            samples_per_second = Math.Round(steps * batch / elapsed),
            steps,
            seconds = Math.Round(elapsed, 2),
        }));
    }
}
