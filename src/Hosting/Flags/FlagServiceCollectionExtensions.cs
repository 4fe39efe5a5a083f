using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CnnDistributed.Hosting.Flags;

/// <summary>Binds an options class from the configuration a <see cref="FlagSet"/> made.</summary>
public static class FlagServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> bound from the section its flags write (<see cref="Flag.Key"/>),
    /// checked by <typeparamref name="TValidator"/> when the program starts.
    /// </summary>
    public static OptionsBuilder<TOptions> AddFlagOptions<TOptions, TValidator>(
        this IServiceCollection services,
        IConfiguration configuration)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(typeof(TOptions).Name)).ValidateOnStart();
    }
}
