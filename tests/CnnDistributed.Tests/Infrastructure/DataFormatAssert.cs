using CnnDistributed.Core.Data;

namespace CnnDistributed.Tests.Infrastructure;

/// <summary>Asserts that an action fails with a one-line <see cref="DataFormatException"/> naming a file and a problem.</summary>
public static class DataFormatAssert
{
    public static DataFormatException Throws(Action action, string file, string problem)
    {
        var exception = Assert.Throws<DataFormatException>(action);
        Assert.Equal(file, exception.File);
        Assert.Contains(problem, exception.Problem);
        Assert.StartsWith(file + ": ", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
        return exception;
    }
}
