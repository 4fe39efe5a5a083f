using CnnDistributed.Core.Engine.Devices;
using static CnnDistributed.Core.Engine.Devices.DeviceSelector;

namespace CnnDistributed.Tests.Gpu;

/// <summary>
/// What <c>--device auto</c> takes among the devices found (<see cref="DeviceSelector.Choose"/>, no ILGPU context): never
/// an OpenCL device of type CPU such as PoCL's, which runs the kernels far slower than the CPU engine; an explicit
/// <c>--device opencl</c> still takes it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AutoDeviceChoiceTests
{
    private static readonly OpenClDevice Pocl = new("cpu-haswell-AMD EPYC", IsGpu: false);
    private static readonly OpenClDevice Radeon = new("gfx1100", IsGpu: true);

    [Fact]
    public void AutoDoesNotTakeAnOpenClDeviceOfTypeCpuAndSaysWhy()
    {
        var selection = Choose(ComputeDevice.Auto, [], [Pocl], "OpenCL cpu-haswell-AMD EPYC");

        Assert.Equal(ComputeDevice.Cpu, selection.Chosen);
        Assert.Equal(
            "auto: chose cpu (OpenCL device cpu-haswell-AMD EPYC is a CPU device, slower than the CPU engine; "
                + "--device opencl takes it)",
            selection.Description);
    }

    [Fact]
    public void AutoTakesTheFirstOpenClGpuAfterAnyCpuDevice()
    {
        var selection = Choose(ComputeDevice.Auto, [], [Pocl, Radeon], "");

        Assert.Equal(ComputeDevice.OpenCL, selection.Chosen);
        Assert.Equal("auto: chose opencl (gfx1100, a GPU)", selection.Description);
    }

    [Fact]
    public void AutoPrefersCuda()
    {
        Assert.Equal(ComputeDevice.Cuda, Choose(ComputeDevice.Auto, ["NVIDIA H200"], [Radeon], "").Chosen);
    }

    [Fact]
    public void AnExplicitOpenClTakesAnOpenClDeviceOfTypeCpu()
    {
        var selection = Choose(ComputeDevice.OpenCL, [], [Pocl], "");

        Assert.Equal(ComputeDevice.OpenCL, selection.Chosen);
        Assert.Equal("opencl: cpu-haswell-AMD EPYC", selection.Description);
    }
}
