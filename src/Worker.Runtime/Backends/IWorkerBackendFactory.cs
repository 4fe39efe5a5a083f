using CnnDistributed.Core.Engine;

namespace CnnDistributed.Worker.Runtime.Backends;

/// <summary>Creates the compute backend of a worker once the coordinator has told it the job's input scaling.</summary>
public interface IWorkerBackendFactory
{
    /// <summary>The device kind of the backends this factory creates; sent at registration.</summary>
    string DeviceKind { get; }

    /// <summary>Which device this factory took and why, in one line (<c>DeviceSelection.Description</c>).</summary>
    string DeviceChoice { get; }

    /// <summary>A new backend on this factory's device that scales inputs as <paramref name="scaling"/> says.</summary>
    IComputeBackend Create(InputScaling scaling);
}
