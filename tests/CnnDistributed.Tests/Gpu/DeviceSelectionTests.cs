using CnnDistributed.Core.Engine;
using CnnDistributed.Core.Engine.Cpu;
using CnnDistributed.Core.Engine.Devices;
using CnnDistributed.Worker.Runtime.Backends;
using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// <c>--device</c> resolution on a machine without a GPU (this project's development and CI machines): ILGPU then
/// registers only its CPU simulator, which must not pass for a CUDA or OpenCL device. Skipped where a GPU exists.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DeviceSelectionTests
{
    private static readonly Lazy<bool> HasGpu = new(() =>
    {
        using var context = Context.Create(builder => builder.Cuda().OpenCL());
        return context.GetCudaDevices().Count + context.GetCLDevices().Count > 0;
    });

    [Fact]
    public void AskingForCudaWithoutACudaDeviceThrowsATypedErrorNamingTheFlagAndWhatIlgpuSees()
    {
        if (HasGpu.Value)
        {
            return;
        }
        var error = Assert.Throws<DeviceUnavailableException>(() => DeviceSelector.Select(ComputeDevice.Cuda));
        Assert.Equal("--device cuda: no CUDA device found (ILGPU sees only: CPU accelerator)", error.Message);
        Assert.Throws<DeviceUnavailableException>(() => ComputeBackendFactory.Create(ComputeDevice.Cuda, 1, InputScaling.UnitRange));
    }

    [Fact]
    public void AWorkerAskedForCudaWithoutOneReportsWhyAndCpuIsAvailable()
    {
        if (HasGpu.Value)
        {
            return;
        }
        Assert.Equal("--device cuda: no CUDA device found (ILGPU sees only: CPU accelerator)", WorkerBackendFactory.Unavailability("cuda"));
        Assert.Null(WorkerBackendFactory.Unavailability("cpu"));
        Assert.StartsWith("cpu-", new WorkerBackendFactory("auto", 1).DeviceKind);
    }

    [Fact]
    public void AskingForOpenClWithoutAUsableOpenClDeviceThrowsATypedError()
    {
        if (HasGpu.Value)
        {
            return;
        }
        var error = Assert.Throws<DeviceUnavailableException>(() => DeviceSelector.Select(ComputeDevice.OpenCL));
        Assert.StartsWith("--device opencl: no usable OpenCL device found", error.Message);
    }

    [Fact]
    public void AutoFallsBackToTheCpuEngineAndSaysWhy()
    {
        if (HasGpu.Value)
        {
            return;
        }
        var (backend, selection) = ComputeBackendFactory.Create(ComputeDevice.Auto, 1, InputScaling.UnitRange);
        using (backend)
        {
            Assert.IsType<CpuBackend>(backend);
            Assert.Equal(ComputeDevice.Cpu, selection.Chosen);
            Assert.StartsWith("auto: chose cpu", selection.Description);
        }
    }

    [Fact]
    public void CpuIsTheCpuEngineWithTheRequestedThreads()
    {
        var (backend, selection) = ComputeBackendFactory.Create(ComputeDevice.Cpu, 3, InputScaling.UnitRange);
        using (backend)
        {
            Assert.Equal(3, Assert.IsType<CpuBackend>(backend).Threads);
            Assert.Equal(ComputeDevice.Cpu, selection.Chosen);
        }
    }

    [Fact]
    public void TheDeviceKindKnownBeforeAnyBackendIsTheOneTheBackendReports()
    {
        var device = DeviceSelector.Select(ComputeDevice.Auto).Chosen;

        using var backend = ComputeBackendFactory.CreateFor(device, 1, InputScaling.UnitRange);

        Assert.Equal(backend.DeviceKind, ComputeBackendFactory.DeviceKindOf(device));
    }

    [Theory]
    [InlineData("auto", ComputeDevice.Auto)]
    [InlineData("cpu", ComputeDevice.Cpu)]
    [InlineData("CUDA", ComputeDevice.Cuda)]
    [InlineData("opencl", ComputeDevice.OpenCL)]
    public void DeviceNamesParse(string name, ComputeDevice expected)
    {
        Assert.Equal(expected, DeviceSelector.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), expected.Name());
    }

    [Fact]
    public void AnUnknownDeviceNameIsAUsageError()
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceSelector.Parse("tpu"));
        Assert.Equal("--device tpu: expected auto, cpu, cuda or opencl", error.Message);
    }
}
