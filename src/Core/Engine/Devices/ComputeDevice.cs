namespace CnnDistributed.Core.Engine.Devices;

/// <summary>The values of <c>--device</c> (docs/commands.md).</summary>
public enum ComputeDevice
{
    Auto,
    Cpu,
    Cuda,
    OpenCL,
}
