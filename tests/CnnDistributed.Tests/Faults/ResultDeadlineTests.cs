using CnnDistributed.Coordinator.Hosting;
using CnnDistributed.Coordinator.Steps;


namespace CnnDistributed.Tests.Faults;

/// <summary>A worker's result deadline follows its measured speed, between the floor and the step timeout.</summary>
[Trait("Category", "Unit")]
public sealed class ResultDeadlineTests
{
    private static readonly CoordinatorOptions Defaults = new();

    [Fact]
    public void UnmeasuredWorkerGetsTheStepTimeout() =>
        Assert.Equal(Defaults.StepTimeout, ResultDeadline.For(Defaults, 0, 64));

    [Fact]
    public void FastWorkerGetsTheFloorSoDetectionTakesUnderTwoSeconds() =>
        Assert.Equal(TimeSpan.FromSeconds(1), ResultDeadline.For(Defaults, 20_000, 64));

    [Fact]
    public void SlowWorkerGetsFourTimesItsExpectedTime() =>
        Assert.Equal(TimeSpan.FromSeconds(8), ResultDeadline.For(Defaults, 32, 64));

    [Fact]
    public void VerySlowWorkerIsCappedAtTheStepTimeout() =>
        Assert.Equal(Defaults.StepTimeout, ResultDeadline.For(Defaults, 1, 64));
}
