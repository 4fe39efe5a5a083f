using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq.Expressions;

namespace CnnDistributed.Hosting.Flags;

/// <summary>
/// A flag whose value of type <typeparamref name="TValue"/> sets a property of <typeparamref name="TOptions"/>.
/// </summary>
public sealed class Flag<TOptions, TValue> : Flag where TOptions : class, new()
{
    private readonly Func<TOptions, TValue> _read;
    private readonly Func<ArgumentResult, TValue>? _parse;
    private readonly string? _defaultText;
    private readonly bool _valueOptional;

    /// <param name="name">The flag, e.g. <c>--epochs</c>.</param>
    /// <param name="property">The property it sets, e.g. <c>o =&gt; o.Epochs</c>.</param>
    /// <param name="description">The help text.</param>
    /// <param name="parse">
    /// A parser with the flag's own error messages (see <see cref="FlagParsers"/>); the type's default parser
    /// otherwise.
    /// </param>
    /// <param name="defaultText">
    /// The default as the help shows it, where the options class cannot say it (a computed default).
    /// </param>
    /// <param name="valueOptional">
    /// The flag may be given without a value; <paramref name="parse"/> then says what it means.
    /// </param>
    public Flag(
        string name,
        Expression<Func<TOptions, TValue>> property,
        string description,
        Func<ArgumentResult, TValue>? parse = null,
        string? defaultText = null,
        bool valueOptional = false)
        : base(name, description, typeof(TOptions), PropertyName(property))
    {
        _read = property.Compile();
        _parse = parse;
        _defaultText = defaultText;
        _valueOptional = valueOptional;
    }

    /// <inheritdoc/>
    public override Option CreateOption()
    {
        var option = new Option<TValue>(Name) { Description = Description + DefaultSuffix() };
        if (_parse is not null)
        {
            option.CustomParser = _parse;
        }
        if (_valueOptional)
        {
            option.Arity = ArgumentArity.ZeroOrOne;
        }
        return option;
    }

    /// <inheritdoc/>
    public override string? GivenValue(ParseResult parseResult, Option option)
    {
        if (parseResult.GetResult(option) is not { Implicit: false })
        {
            return null;
        }
        return parseResult.GetValue((Option<TValue>)option) switch
        {
            null => null,
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
            IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
            var value => value.ToString(),
        };
    }

    /// <inheritdoc/>
    public override object? Read(object options) => _read((TOptions)options);

    private string DefaultSuffix()
    {
        if (_defaultText is not null)
        {
            return $" [{_defaultText}]";
        }
        return _read(new TOptions()) switch
        {
            null or false => "",
            TimeSpan t => string.Create(CultureInfo.InvariantCulture, $" [{t.TotalSeconds}]"),
            Enum e => $" [{FlagParsers.EnumName(e)}]",
            IFormattable value => $" [{value.ToString(null, CultureInfo.InvariantCulture)}]",
            var value => $" [{value}]",
        };
    }

    private static string PropertyName(Expression<Func<TOptions, TValue>> property) =>
        property.Body is MemberExpression { Member: var member } ? member.Name
            : throw new ArgumentException("a flag maps onto a property, e.g. o => o.Epochs", nameof(property));
}
