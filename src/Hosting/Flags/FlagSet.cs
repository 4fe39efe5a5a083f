using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace CnnDistributed.Hosting.Flags;

/// <summary>
/// The flags of one command: adds their options to it and, after a parse, turns the values given (on the command line
/// or, through <see cref="EnvironmentArguments"/>, in the environment) into configuration that the options classes
/// bind from. Flags not given leave their property at the options class's documented default.
/// </summary>
public sealed class FlagSet
{
    private readonly List<(Flag Flag, Option Option)> _flags;

    /// <summary>Creates the options of <paramref name="flags"/> and adds them to <paramref name="command"/>.</summary>
    public FlagSet(Command command, IEnumerable<Flag> flags)
    {
        _flags = [.. flags.Select(flag => (flag, flag.CreateOption()))];
        foreach (var (_, option) in _flags)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The flags, in the order of the table they came from.</summary>
    public IEnumerable<Flag> Flags => _flags.Select(f => f.Flag);

    /// <summary>Configuration holding the value of every flag given in <paramref name="parseResult"/>.</summary>
    public IConfiguration ToConfiguration(ParseResult parseResult)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (flag, option) in _flags)
        {
            if (flag.GivenValue(parseResult, option) is { } value)
            {
                values[flag.Key] = value;
            }
        }
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>The names of the flags given in <paramref name="parseResult"/>.</summary>
    public IReadOnlySet<string> Given(ParseResult parseResult) =>
        _flags.Where(f => parseResult.GetResult(f.Option) is { Implicit: false }).Select(f => f.Flag.Name).ToHashSet();

    /// <summary>
    /// Every flag's value in the bound options (<paramref name="optionsOf"/> gives the instance of an options class),
    /// keyed by <see cref="Flag.RecordName"/>: the options of a run as recorded in its summary.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Record(Func<Type, object> optionsOf)
    {
        var record = new Dictionary<string, object?>();
        foreach (var flag in Flags)
        {
            record[flag.RecordName] = flag.Read(optionsOf(flag.OptionsType));
        }
        return record;
    }
}
