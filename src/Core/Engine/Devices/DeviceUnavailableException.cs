namespace CnnDistributed.Core.Engine.Devices;

/// <summary>
/// The device asked for with <c>--device</c> does not exist on this machine; the CLI maps it to exit 2.
/// </summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
