namespace CnnDistributed.Core.Engine.Cpu;

/// <summary>
/// A shard's forward-pass statistics as a kernel collects them, sample by sample in sample order: the loss sum (in
/// double), the number of samples predicted right, and, when the caller asked for them (non-empty spans), each
/// sample's loss and prediction.
/// </summary>
internal ref struct ShardTally(Span<float> losses, Span<byte> predictions)
{
    private readonly Span<float> _losses = losses;
    private readonly Span<byte> _predictions = predictions;
    private double _lossSum;
    private int _correct;

    public void Add(int sample, float loss, int predicted, int label)
    {
        _lossSum += loss;
        if (predicted == label)
        {
            _correct++;
        }
        if (!_losses.IsEmpty)
        {
            _losses[sample] = loss;
            _predictions[sample] = (byte)predicted;
        }
    }

    public readonly ShardStats Total(int samples) => new(_lossSum, _correct, samples);
}
