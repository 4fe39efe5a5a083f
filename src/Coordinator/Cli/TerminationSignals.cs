using System.Runtime.InteropServices;
using CnnDistributed.Hosting;

namespace CnnDistributed.Coordinator.Cli;

/// <summary>
/// Turns SIGINT (Ctrl-C) and SIGTERM into a cancellation the commands handle themselves (training writes a checkpoint
/// before it stops), instead of the runtime ending the process. <see cref="ExitCode"/> is the conventional 128 + signal
/// number: 130 after SIGINT, 143 after SIGTERM.
/// </summary>
public sealed class TerminationSignals : IDisposable
{
    public const int InterruptedExitCode = 130;
    public const int TerminatedExitCode = 143;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _exitCode = ExitCodes.Cancelled;

    public TerminationSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, InterruptedExitCode)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, TerminatedExitCode)),
        ];
    }

    /// <summary>Cancelled when a termination signal arrives.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit code for a run stopped by a signal.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>The signal's name, for the final message.</summary>
    public string SignalName => ExitCode == TerminatedExitCode ? "SIGTERM" : "SIGINT";

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context, int exitCode)
    {
        context.Cancel = true;
        Volatile.Write(ref _exitCode, exitCode);
        _stop.Cancel();
    }
}
