namespace CnnDistributed.Core.Engine;

/// <summary>How raw pixel bytes become network inputs (docs/model.md).</summary>
public enum InputScaling
{
    /// <summary>pixel / 255, in [0, 1].</summary>
    UnitRange,

    /// <summary>(pixel / 255 − 0.1307) / 0.3081, the usual MNIST normalisation.</summary>
    MnistNormalized,
}

/// <summary>The arithmetic behind each <see cref="InputScaling"/>, shared by every backend.</summary>
public static class InputScalingExtensions
{
    /// <summary>The affine map pixel ↦ pixel·scale + offset for this scaling.</summary>
    public static (float Scale, float Offset) Affine(this InputScaling scaling) => scaling switch
    {
        InputScaling.UnitRange => (1f / 255f, 0f),
        InputScaling.MnistNormalized => (1f / (255f * 0.3081f), -0.1307f / 0.3081f),
        _ => throw new ArgumentOutOfRangeException(nameof(scaling)),
    };
}
