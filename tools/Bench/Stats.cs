using System.Diagnostics;
using System.Text;
using Amazon.DynamoDBv2;
using Functions.Common.Hosting;
using Functions.Common.Logging;
using Functions.Common.Runtime;
using Functions.DevKit;
using Functions.Events;

namespace Functions.Bench;

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) throw new InvalidOperationException("No samples.");
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
