using CnnDistributed.Core.Optimization;

namespace CnnDistributed.Tests.Optimization;

/// <summary>
/// Hand-computed steps of torch.optim.SGD. Every value is a short binary fraction, so float32 holds each
/// intermediate exactly and the expected weights are exact.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SgdOptimizerTests
{
    private const float LearningRate = 0.5f;

    private static readonly float[] FirstGradient = [0.5f, 0.25f];
    private static readonly float[] SecondGradient = [1f, -1f];

    private static float[] InitialWeights() => [1f, -2f];

    [Fact]
    public void Step_WithoutMomentumSubtractsLearningRateTimesGradient()
    {
        var optimizer = new SgdOptimizer(momentum: 0, nesterov: false, weightDecay: 0, parameterCount: 2);
        var weights = InitialWeights();

        optimizer.Step(weights, FirstGradient, LearningRate);
        // w = [1 - 0.5·0.5, -2 - 0.5·0.25]
        Assert.Equal([0.75f, -2.125f], weights);

        optimizer.Step(weights, SecondGradient, LearningRate);
        // w = [0.75 - 0.5·1, -2.125 + 0.5·1]
        Assert.Equal([0.25f, -1.625f], weights);
    }

    [Fact]
    public void Step_WithMomentumAccumulatesVelocityStartingFromTheFirstGradient()
    {
        var optimizer = new SgdOptimizer(momentum: 0.5f, nesterov: false, weightDecay: 0, parameterCount: 2);
        var weights = InitialWeights();

        optimizer.Step(weights, FirstGradient, LearningRate);
        // v = g = [0.5, 0.25]; w = [1 - 0.25, -2 - 0.125]
        Assert.Equal([0.5f, 0.25f], optimizer.Velocity);
        Assert.Equal([0.75f, -2.125f], weights);

        optimizer.Step(weights, SecondGradient, LearningRate);
        // v = 0.5·[0.5, 0.25] + [1, -1] = [1.25, -0.875]; w = [0.75 - 0.625, -2.125 + 0.4375]
        Assert.Equal([1.25f, -0.875f], optimizer.Velocity);
        Assert.Equal([0.125f, -1.6875f], weights);

        optimizer.Step(weights, [0f, 0f], LearningRate);
        // v = 0.5·[1.25, -0.875] = [0.625, -0.4375]; w = [0.125 - 0.3125, -1.6875 + 0.21875]
        Assert.Equal([0.625f, -0.4375f], optimizer.Velocity);
        Assert.Equal([-0.1875f, -1.46875f], weights);
    }

    [Fact]
    public void Step_WithNesterovMovesAlongGradientPlusMomentumTimesVelocity()
    {
        var optimizer = new SgdOptimizer(momentum: 0.5f, nesterov: true, weightDecay: 0, parameterCount: 2);
        var weights = InitialWeights();

        optimizer.Step(weights, FirstGradient, LearningRate);
        // v = [0.5, 0.25]; d = g + 0.5·v = [0.75, 0.375]; w = [1 - 0.375, -2 - 0.1875]
        Assert.Equal([0.5f, 0.25f], optimizer.Velocity);
        Assert.Equal([0.625f, -2.1875f], weights);

        optimizer.Step(weights, SecondGradient, LearningRate);
        // v = [1.25, -0.875]; d = [1 + 0.625, -1 - 0.4375] = [1.625, -1.4375]; w = [0.625 - 0.8125, -2.1875 + 0.71875]
        Assert.Equal([1.25f, -0.875f], optimizer.Velocity);
        Assert.Equal([-0.1875f, -1.46875f], weights);
    }

    [Fact]
    public void Step_WithWeightDecayAddsDecayTimesWeightsToTheGradient()
    {
        var optimizer = new SgdOptimizer(momentum: 0, nesterov: false, weightDecay: 0.5f, parameterCount: 2);
        var weights = InitialWeights();

        optimizer.Step(weights, FirstGradient, LearningRate);
        // g = [0.5 + 0.5·1, 0.25 + 0.5·(-2)] = [1, -0.75]; w = [1 - 0.5, -2 + 0.375]
        Assert.Equal([0.5f, -1.625f], weights);

        optimizer.Step(weights, SecondGradient, LearningRate);
        // g = [1 + 0.25, -1 - 0.8125] = [1.25, -1.8125]; w = [0.5 - 0.625, -1.625 + 0.90625]
        Assert.Equal([-0.125f, -0.71875f], weights);
    }

    [Fact]
    public void Step_WithWeightDecayAndMomentumKeepsTheDecayedGradientInTheVelocity()
    {
        var optimizer = new SgdOptimizer(momentum: 0.5f, nesterov: false, weightDecay: 0.5f, parameterCount: 2);
        var weights = InitialWeights();

        optimizer.Step(weights, FirstGradient, LearningRate);
        // g = [1, -0.75]; v = g; w = [0.5, -1.625]
        Assert.Equal([1f, -0.75f], optimizer.Velocity);
        Assert.Equal([0.5f, -1.625f], weights);

        optimizer.Step(weights, SecondGradient, LearningRate);
        // g = [1.25, -1.8125]; v = 0.5·[1, -0.75] + g = [1.75, -2.1875]; w = [0.5 - 0.875, -1.625 + 1.09375]
        Assert.Equal([1.75f, -2.1875f], optimizer.Velocity);
        Assert.Equal([-0.375f, -0.53125f], weights);
    }

    [Fact]
    public void Step_WithNesterovAndZeroMomentumEqualsPlainSgd()
    {
        var nesterov = new SgdOptimizer(momentum: 0, nesterov: true, weightDecay: 0, parameterCount: 2);
        var weights = InitialWeights();

        nesterov.Step(weights, FirstGradient, LearningRate);
        nesterov.Step(weights, SecondGradient, LearningRate);

        Assert.Equal([0.25f, -1.625f], weights);
        Assert.Equal([0f, 0f], nesterov.Velocity);
    }

    [Fact]
    public void Step_LeavesTheGradientUnchanged()
    {
        var optimizer = new SgdOptimizer(momentum: 0.5f, nesterov: true, weightDecay: 0.5f, parameterCount: 2);
        float[] gradient = [0.5f, 0.25f];

        optimizer.Step(InitialWeights(), gradient, LearningRate);

        Assert.Equal(FirstGradient, gradient);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(2, 3)]
    public void Step_RejectsVectorsOfAnotherLength(int parameterLength, int gradientLength)
    {
        var optimizer = new SgdOptimizer(momentum: 0, nesterov: false, weightDecay: 0, parameterCount: 2);

        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[parameterLength], new float[gradientLength], LearningRate));
    }
}
