using CnnDistributed.Core.Engine.Devices;

namespace CnnDistributed.Tests.Gpu;

/// <summary>A fact that runs only where ILGPU finds a CUDA device; elsewhere it is skipped with the reason.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> SkipReason = new(() =>
    {
        try
        {
            return DeviceSelector.Select(ComputeDevice.Cuda).Chosen == ComputeDevice.Cuda ? null : "no CUDA device";
        }
        catch (DeviceUnavailableException e)
        {
            return $"needs a CUDA GPU: {e.Message}";
        }
    });

    public CudaFactAttribute() => Skip = SkipReason.Value;
}
