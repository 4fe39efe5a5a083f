namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// What <see cref="DeviceSelector"/> chose for a <c>--device</c> request, and a one-line reason to report.
/// </summary>
public sealed record DeviceSelection(ComputeDevice Requested, ComputeDevice Chosen, string Description);
