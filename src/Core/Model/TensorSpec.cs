namespace CnnDistributed.Core.Model;

/// <summary>One named parameter tensor of the model and where it lives in the flat parameter vector.</summary>
public sealed record TensorSpec(string Name, int[] Shape, int Offset, int FanIn)
{
    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}
