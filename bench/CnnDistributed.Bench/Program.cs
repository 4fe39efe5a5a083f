using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CnnDistributed.Bench;

// cnnd-bench: the cluster benchmarks (whole clusters measured by a plain runner, one JSON line per measurement) and
// the BenchmarkDotNet micro-benchmarks of the hot paths (`micro`). README "Performance" says which figure comes from
// which command.
var root = new RootCommand("cnnd-bench: cluster benchmarks and micro-benchmarks of CnnDistributed");
foreach (var command in ClusterBenchCommands.Create())
{
    root.Subcommands.Add(command);
}
var micro = new Command("micro", "BenchmarkDotNet micro-benchmarks; arguments after -- go to BenchmarkDotNet (e.g. --filter '*Tree*')");
micro.TreatUnmatchedTokensAsErrors = false;
micro.SetAction(parseResult =>
{
    // In-process: BenchmarkDotNet measures this build as it is, with no separate project to generate and restore.
    var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
    BenchmarkSwitcher.FromAssembly(typeof(ClusterBenchCommands).Assembly).Run([.. parseResult.UnmatchedTokens], config);
    return 0;
});
root.Subcommands.Add(micro);
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"error: {parsed.Errors[0].Message}");
    return 2;
}
return await parsed.InvokeAsync();
