namespace CnnDistributed.Core.Model;

/// <summary>
/// PyTorch's default Conv2d/Linear initialisation, U(−1/√fan_in, 1/√fan_in), from our seeded generator.
/// </summary>
public static class WeightInitializer
{
    /// <summary>
    /// A new flat parameter vector, drawn tensor by tensor in the order of docs/model.md; the same
    /// <paramref name="seed"/> gives the same weights on every platform.
    /// </summary>
    public static float[] Create(ulong seed)
    {
        var parameters = new float[ModelShape.ParameterCount];
        var random = new SeededRandom(seed);
        foreach (var tensor in ModelShape.Tensors)
        {
            var bound = 1.0f / MathF.Sqrt(tensor.FanIn);
            var span = parameters.AsSpan(tensor.Offset, tensor.Length);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (2f * random.NextSingle() - 1f) * bound;
            }
        }
        return parameters;
    }
}
