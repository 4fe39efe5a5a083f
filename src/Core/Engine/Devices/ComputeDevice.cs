namespace CnnDistributed.Core.Engine.Devices;

/// <summary>The values of <c>--device</c> (CONTRACT §2).</summary>
public enum ComputeDevice
{
    Auto,
    Cpu,
    Cuda,
    OpenCL,
}
