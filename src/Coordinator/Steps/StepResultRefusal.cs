namespace CnnDistributed.Coordinator.Steps;

/// <summary>Why a worker's result is refused: the check it failed, and the line that names the fault.</summary>
public readonly record struct StepResultRefusal(ResultRefusal Kind, string Reason)
{
    public override string ToString() => Reason;
}
