using CnnDistributed.Fuzz;
using SharpFuzz;

// cnnd fuzzing harness (docs/fuzzing.md):
//   CnnDistributed.Fuzz TARGET      run under afl-fuzz (outside it, parses standard input once)
//   CnnDistributed.Fuzz seed DIR    write every target's seed corpus to DIR/TARGET/
var usage = $"usage: CnnDistributed.Fuzz TARGET | seed DIR; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}";
switch (args)
{
    case ["seed", var directory]:
        foreach (var target in FuzzTargets.All)
        {
            var folder = Directory.CreateDirectory(Path.Combine(directory, target.Name)).FullName;
            foreach (var (name, bytes) in target.Seeds())
            {
                File.WriteAllBytes(Path.Combine(folder, name), bytes);
            }
        }
        return 0;
    case [var name] when FuzzTargets.Find(name) is { } target:
        Fuzzer.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            target.Run(input.ToArray());
        });
        return 0;
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
