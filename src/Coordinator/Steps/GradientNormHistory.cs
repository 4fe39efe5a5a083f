namespace CnnDistributed.Coordinator.Steps;

/// <summary>
/// The norms per sample (L2 norm ÷ samples) of the latest accepted node gradients: the reference of the relative norm
/// bound (docs/security.md, "Hostile workers"). A node's norm per sample shrinks as it sums more samples, and the whole
/// run's drifts slowly as training goes on, so the reference is the median of a short window rather than a constant.
/// Until <see cref="MinimumCount"/> norms are known (a job's first steps, a resumed job) there is no relative bound.
/// </summary>
public sealed class GradientNormHistory
{
    /// <summary>Accepted norms kept: a few steps' worth.</summary>
    public const int Capacity = 64;

    /// <summary>Norms needed before the relative bound applies.</summary>
    public const int MinimumCount = 8;

    private readonly double[] _norms = new double[Capacity];
    private readonly double[] _sorted = new double[Capacity];
    private int _count;
    private int _next;
    private double _median = double.NaN;

    /// <summary>
    /// Forgets every norm: called when an outlier proved honest (a second worker reproduced it), which means the run's
    /// norms have moved and the old median no longer describes them. The bound comes back once
    /// <see cref="MinimumCount"/> new norms are known.
    /// </summary>
    public void Clear()
    {
        _count = 0;
        _next = 0;
        _median = double.NaN;
    }

    public void Add(double normPerSample)
    {
        _norms[_next] = normPerSample;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
        _median = double.NaN;
    }

    /// <summary>
    /// Whether a node of <paramref name="samples"/> samples with gradient norm <paramref name="norm"/> is above
    /// <paramref name="ratio"/> × the median norm per sample; false while too few norms are known.
    /// </summary>
    public bool IsOutlier(double norm, int samples, double ratio) =>
        _count >= MinimumCount && norm / samples > ratio * Median();

    private double Median()
    {
        if (double.IsNaN(_median))
        {
            var sorted = _sorted.AsSpan(0, _count);
            _norms.AsSpan(0, _count).CopyTo(sorted);
            sorted.Sort();
            _median = _count % 2 == 1 ? sorted[_count / 2] : (sorted[_count / 2 - 1] + sorted[_count / 2]) / 2;
        }
        return _median;
    }
}
