using CsCheck;

namespace CnnDistributed.Tests.Properties;

/// <summary>
/// Runs a property over cases drawn from one fixed seed, so CI checks the same cases on every run. CsCheck's
/// <c>Sample(seed: …)</c> pins only the first case (the rest come from a per-thread random stream); here every case
/// comes from the seed in turn, and the first that fails is handed to <c>Sample</c> with its own seed, which shrinks
/// it and reports the seed that replays it.
/// </summary>
internal static class FixedSeed
{
    public static void Check<T>(Gen<T> gen, Action<T> property, string seed, int iter, Func<T, string> print)
    {
        var pcg = PCG.Parse(seed);
        for (var i = 0; i < iter; i++)
        {
            var state = pcg.State;
            var value = gen.Generate(pcg, null, out _);
            try
            {
                property(value);
            }
            catch (Exception)
            {
                gen.Sample(property, seed: pcg.ToString(state), iter: iter, threads: 1, print: print);
                throw;
            }
        }
    }

    public static async Task CheckAsync<T>(
        Gen<T> gen, Func<T, Task> property, string seed, int iter, Func<T, string> print)
    {
        var pcg = PCG.Parse(seed);
        for (var i = 0; i < iter; i++)
        {
            var state = pcg.State;
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await property(value);
            }
            catch (Exception)
            {
                await gen.SampleAsync(property, seed: pcg.ToString(state), iter: iter, threads: 1, print: print);
                throw;
            }
        }
    }
}
