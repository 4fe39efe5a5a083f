using CnnDistributed.Core.Model;
using ILGPU.Runtime;

namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>
/// SGD on the device of a <see cref="GpuBackend"/> with the same contract as <see cref="Optimization.SgdOptimizer"/>:
/// the velocity stays on the device; <see cref="Step"/> uploads the parameters and the gradient, runs
/// <see cref="SgdKernel.Update"/> and brings the parameters back.
/// </summary>
public sealed class GpuSgdOptimizer : IDisposable
{
    private readonly GpuBackend _backend;
    private readonly MemoryBuffer1D<float, ILGPU.Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<float, ILGPU.Stride1D.Dense> _gradient;
    private readonly MemoryBuffer1D<float, ILGPU.Stride1D.Dense> _velocity;

    public GpuSgdOptimizer(GpuBackend backend, float momentum, bool nesterov, float weightDecay)
    {
        _backend = backend;
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _weights = backend.Accelerator.Allocate1D<float>(ModelShape.ParameterCount);
        _gradient = backend.Accelerator.Allocate1D<float>(ModelShape.ParameterCount);
        _velocity = backend.Accelerator.Allocate1D<float>(ModelShape.ParameterCount);
        _velocity.MemSetToZero();
    }

    public float Momentum { get; }

    public bool Nesterov { get; }

    public float WeightDecay { get; }

    /// <summary>The momentum buffer, copied from the device.</summary>
    public float[] Velocity
    {
        get
        {
            var velocity = new float[ModelShape.ParameterCount];
            GpuBackend.Download(_velocity.View, velocity);
            return velocity;
        }
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        if (parameters.Length != ModelShape.ParameterCount || gradient.Length != ModelShape.ParameterCount)
        {
            throw new ArgumentException(
                $"the optimizer holds {ModelShape.ParameterCount} parameters, got {parameters.Length} parameters and {gradient.Length} gradients");
        }
        GpuBackend.Upload(_weights.View, parameters);
        GpuBackend.Upload(_gradient.View, gradient);
        _backend.Kernels.SgdUpdate(ModelShape.ParameterCount, _weights.View, _gradient.View, _velocity.View, new SgdSettings(learningRate, Momentum, WeightDecay, Nesterov));
        _backend.Accelerator.Synchronize();
        GpuBackend.Download(_weights.View, parameters);
    }

    public void Dispose()
    {
        _weights.Dispose();
        _gradient.Dispose();
        _velocity.Dispose();
    }
}
