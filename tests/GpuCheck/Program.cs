using System.Diagnostics;
using CnnDistributed.Core.Data;
using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Core.Engine.Gpu;
using CnnDistributed.GpuCheck;

// cnnd-gpu-check [agree|train|bench|all] [--device cuda|opencl] [--data DIR] [--epochs E] [--seconds S]
// cnnd-gpu-check ptx --out DIR
// The GPU checks of scripts/gpu-check.sh, runnable from a self-contained publish on a machine without .NET; `ptx`
// writes every kernel's PTX for SM_90 at PTX ISA 7.8 (what ptxas 11.8 reads) for scripts/ptx-check.sh, no GPU needed.
var verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
if (verb == "ptx")
{
    var folder = Directory.CreateDirectory(Option("--out", "ptx")).FullName;
    foreach (var kernel in KernelPtx.Kernels)
    {
        File.WriteAllText(Path.Combine(folder, $"{kernel}.ptx"), KernelPtx.Compile(kernel, ILGPU.Runtime.Cuda.CudaInstructionSet.ISA_78));
    }
    Console.WriteLine($"ptx: {KernelPtx.Kernels.Count} kernels written to {folder}");
    return 0;
}
var device = DeviceSelector.Parse(Option("--device", "cuda"));
var data = MnistDataset.Load(Option("--data", Path.Combine("data", "mnist-sample")));
var epochs = int.Parse(Option("--epochs", "3"), System.Globalization.CultureInfo.InvariantCulture);
var seconds = double.Parse(Option("--seconds", "3"), System.Globalization.CultureInfo.InvariantCulture);
var cpuThreads = Environment.ProcessorCount;

GpuBackend CreateGpu(InputScaling scaling)
{
    try
    {
        return (GpuBackend)ComputeBackendFactory.CreateFor(device, 1, scaling);
    }
    catch (DeviceUnavailableException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        Environment.Exit(2);
        throw;
    }
}

var failures = 0;
if (verb is "agree" or "all")
{
    using var unitRange = CreateGpu(InputScaling.UnitRange);
    using var normalized = CreateGpu(InputScaling.MnistNormalized);
    Console.WriteLine($"device: {unitRange.DeviceKind} (GEMM tile {unitRange.GemmTile})");
    failures += AgreementChecks.Run(unitRange, normalized, data, Console.Out);
}
if (verb is "train" or "all")
{
    using var gpu = CreateGpu(InputScaling.UnitRange);
    using var cpu = new CpuBackend(cpuThreads, InputScaling.UnitRange);
    var onGpu = new LocalTraining(gpu, data, 64, 0.1f);
    var onCpu = new LocalTraining(cpu, data, 64, 0.1f);
    double gpuAccuracy = 0, cpuAccuracy = 0;
    for (var epoch = 0; epoch < epochs; epoch++)
    {
        var clock = Stopwatch.StartNew();
        await onGpu.RunEpochAsync(epoch);
        var gpuSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await onCpu.RunEpochAsync(epoch);
        var cpuSeconds = clock.Elapsed.TotalSeconds;
        (gpuAccuracy, cpuAccuracy) = (onGpu.TestAccuracy(), onCpu.TestAccuracy());
        Console.WriteLine($"epoch {epoch + 1}: test accuracy {gpu.DeviceKind} {gpuAccuracy:F2} % ({gpuSeconds:F1} s), {cpu.DeviceKind} {cpuAccuracy:F2} % ({cpuSeconds:F1} s)");
    }
    var passed = gpuAccuracy >= 90 && Math.Abs(gpuAccuracy - cpuAccuracy) <= 1.0;
    Console.WriteLine($"{(passed ? "PASS" : "FAIL")} {epochs} epochs, batch 64, lr 0.1: GPU within 1 point of the CPU engine and at least 90 %");
    failures += passed ? 0 : 1;
}
if (verb is "bench" or "all")
{
    using var gpu = CreateGpu(InputScaling.UnitRange);
    using var cpu = new CpuBackend(cpuThreads, InputScaling.UnitRange);
    foreach (var batch in new[] { 64, 256, 1024, 4096 })
    {
        foreach (var (backend, threads) in new (IComputeBackend, int)[] { (gpu, 1), (cpu, cpuThreads) })
        {
            var training = new LocalTraining(backend, data, batch, 0.01f);
            await training.RunEpochAsync(0, 3);
            var traffic = (backend as GpuBackend)?.Traffic;
            var (launches, bytesUp, bytesDown) = (traffic?.Launches ?? 0, traffic?.BytesToDevice ?? 0, traffic?.BytesFromDevice ?? 0);
            var clock = Stopwatch.StartNew();
            var steps = 0;
            for (var epoch = 1; clock.Elapsed.TotalSeconds < seconds; epoch++)
            {
                steps += await training.RunEpochAsync(epoch, Math.Max(1, (int)(2048 / batch)));
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                what = "bench",
                device = backend.DeviceKind,
                threads,
                workers = 1,
                batch_size = batch,
                samples_per_second = Math.Round(steps * (double)batch / elapsed),
                steps,
                seconds = Math.Round(elapsed, 2),
                // What each step asked of the device (GPU backends only; docs/gpu.md).
                launches_per_step = traffic is null ? (double?)null : (traffic.Launches - launches) / (double)steps,
                bytes_to_device_per_step = traffic is null ? (double?)null : (traffic.BytesToDevice - bytesUp) / (double)steps,
                bytes_from_device_per_step = traffic is null ? (double?)null : (traffic.BytesFromDevice - bytesDown) / (double)steps,
            }));
        }
    }
}
Console.WriteLine(failures == 0 ? "gpu-check: all checks passed" : $"gpu-check: {failures} checks FAILED");
return failures == 0 ? 0 : 1;
