namespace CnnDistributed.Coordinator.Cli;

/// <summary>Bad input or usage: reported as one <c>error: …</c> line on stderr with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
