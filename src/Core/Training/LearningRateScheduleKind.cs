namespace CnnDistributed.Core.Training;

/// <summary>The <c>--lr-schedule</c> choices.</summary>
public enum LearningRateScheduleKind
{
    Constant,
    Step,
    Cosine,
}
