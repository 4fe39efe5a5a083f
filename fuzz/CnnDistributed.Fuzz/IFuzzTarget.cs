namespace CnnDistributed.Fuzz;

/// <summary>
/// One parser under fuzzing: <see cref="Run"/> feeds it an input and swallows only the exceptions with which the
/// parser documents refusing malformed bytes, so anything else escapes and afl-fuzz records a crash.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name the fuzzer is started with and the folder of its seed corpus (fuzz/corpus/NAME).</summary>
    string Name { get; }

    /// <summary>Parses <paramref name="input"/> as the product would parse the same bytes from outside.</summary>
    void Run(byte[] input);

    /// <summary>Small valid inputs written by the product's own writers, by file name.</summary>
    IReadOnlyDictionary<string, byte[]> Seeds();
}
