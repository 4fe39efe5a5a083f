namespace CnnDistributed.Core.Engine.Gpu;

/// <summary>Hyper-parameters of one SGD update on the device (CONTRACT §1).</summary>
public readonly struct SgdSettings(float learningRate, float momentum, float weightDecay, bool nesterov)
{
    public readonly float LearningRate = learningRate;
    public readonly float Momentum = momentum;
    public readonly float WeightDecay = weightDecay;
    public readonly int Nesterov = nesterov ? 1 : 0;
}
