using CnnDistributed.Core.Optimization;
using CnnDistributed.Core.Training;

namespace CnnDistributed.Tests.Optimization;

[Trait("Category", "Unit")]
public sealed class LearningRateScheduleTests
{
    private static LearningRateSchedule Schedule(TrainingOptions options, long stepsPerEpoch = 10, long totalSteps = 100) =>
        new(options, stepsPerEpoch, totalSteps);

    [Fact]
    public void RateAt_ConstantReturnsTheBaseRateAtEveryStep()
    {
        var schedule = Schedule(new TrainingOptions { LearningRate = 0.1f });

        Assert.Equal(0.1f, schedule.RateAt(0));
        Assert.Equal(0.1f, schedule.RateAt(57));
        Assert.Equal(0.1f, schedule.RateAt(1_000));
    }

    [Fact]
    public void RateAt_StepMultipliesByTheDecayEveryStepEpochsEpochs()
    {
        var options = new TrainingOptions
        {
            LearningRate = 1f,
            Schedule = LearningRateScheduleKind.Step,
            LearningRateDecay = 0.5f,
            LearningRateStepEpochs = 2,
        };
        var schedule = Schedule(options, stepsPerEpoch: 10);

        Assert.Equal(1f, schedule.RateAt(0));
        Assert.Equal(1f, schedule.RateAt(19));
        Assert.Equal(0.5f, schedule.RateAt(20));
        Assert.Equal(0.5f, schedule.RateAt(39));
        Assert.Equal(0.25f, schedule.RateAt(40));
    }

    [Fact]
    public void RateAt_CosineFallsFromTheBaseRateThroughHalfToZero()
    {
        var schedule = Schedule(new TrainingOptions { LearningRate = 0.2f, Schedule = LearningRateScheduleKind.Cosine }, totalSteps: 100);

        Assert.Equal(0.2f, schedule.RateAt(0));
        Assert.Equal((float)(0.5 * 0.2f * (1 + Math.Cos(Math.PI / 4))), schedule.RateAt(25));
        Assert.Equal(0.1f, schedule.RateAt(50), 7);
        Assert.Equal(0f, schedule.RateAt(100));
    }

    [Fact]
    public void RateAt_WarmupRampsLinearlyToTheBaseRate()
    {
        var schedule = Schedule(new TrainingOptions { LearningRate = 1f, WarmupSteps = 4 });

        Assert.Equal(0.25f, schedule.RateAt(0));
        Assert.Equal(0.5f, schedule.RateAt(1));
        Assert.Equal(0.75f, schedule.RateAt(2));
        Assert.Equal(1f, schedule.RateAt(3));
        Assert.Equal(1f, schedule.RateAt(4));
    }

    [Fact]
    public void RateAt_WarmupMultipliesTheCosineRate()
    {
        var options = new TrainingOptions { LearningRate = 1f, Schedule = LearningRateScheduleKind.Cosine, WarmupSteps = 50 };
        var schedule = Schedule(options, totalSteps: 100);

        Assert.Equal(0.02f, schedule.RateAt(0));
        Assert.Equal((float)(0.5 * (1 + Math.Cos(Math.PI * 24 / 100)) * 25 / 50), schedule.RateAt(24));
        Assert.Equal(0.5f, schedule.RateAt(50), 7);
    }

    [Fact]
    public void RateAt_RejectsANegativeStep()
    {
        var schedule = Schedule(new TrainingOptions());

        Assert.Throws<ArgumentOutOfRangeException>(() => schedule.RateAt(-1));
    }
}
