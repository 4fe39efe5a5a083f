namespace CnnDistributed.Core.Training;

/// <summary>The <c>--lr-schedule</c> choices.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The same rate, <c>--lr</c>, at every step.</summary>
    Constant,

    /// <summary>
    /// PyTorch <c>StepLR</c>: the rate times <c>--lr-gamma</c> once per <c>--lr-step-epochs</c> completed epochs.
    /// </summary>
    Step,

    /// <summary>
    /// PyTorch <c>CosineAnnealingLR</c> per step: from <c>--lr</c> towards 0, which it reaches after the job's last
    /// step.
    /// </summary>
    Cosine,
}
