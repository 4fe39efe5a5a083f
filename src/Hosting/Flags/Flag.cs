using System.CommandLine;

namespace CnnDistributed.Hosting.Flags;

/// <summary>
/// One command-line flag mapped onto one property of an options class. The flag's value binds to the configuration
/// key <c>OptionsType:Property</c>, from which Microsoft.Extensions.Options binds the class
/// (<see cref="FlagServiceCollectionExtensions.AddFlagOptions{TOptions, TValidator}"/>): the flag table is the only
/// place that says which flag sets what.
/// </summary>
public abstract class Flag
{
    private protected Flag(string name, string description, Type optionsType, string property)
    {
        Name = name;
        Description = description;
        OptionsType = optionsType;
        Property = property;
    }

    /// <summary>The flag as typed, e.g. <c>--batch-size</c>.</summary>
    public string Name { get; }

    /// <summary>The help text.</summary>
    public string Description { get; }

    /// <summary>The options class the flag's value binds to.</summary>
    public Type OptionsType { get; }

    /// <summary>The property of <see cref="OptionsType"/> the flag sets.</summary>
    public string Property { get; }

    /// <summary>The configuration key the value binds through: <c>OptionsType:Property</c>.</summary>
    public string Key => $"{OptionsType.Name}:{Property}";

    /// <summary>The flag's name in a run's recorded options (summary.json <c>config</c>): <c>batch_size</c>.</summary>
    public string RecordName => Name.TrimStart('-').Replace('-', '_');

    /// <summary>
    /// A new System.CommandLine option for this flag, showing the options class's default in the help.
    /// </summary>
    public abstract Option CreateOption();

    /// <summary>
    /// The value given for <paramref name="option"/>, as configuration text; null when it was not given.
    /// </summary>
    public abstract string? GivenValue(ParseResult parseResult, Option option);

    /// <summary>The flag's value in a bound instance of <see cref="OptionsType"/>.</summary>
    public abstract object? Read(object options);
}
