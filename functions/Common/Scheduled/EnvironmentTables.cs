using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Hosting;
using Functions.Common.Runtime;
using Functions.Common.Tables;

namespace Functions.Common.Scheduled;

/// <summary>
/// The tables of one environment: every table whose name starts with <c>{app}-{env}-</c>, over
/// every page of ListTables. Nothing else is ever returned, whatever it is named like.
/// </summary>
public static class EnvironmentTables
{
    /// <param name="leftAlone">Gets the names under the prefix that are another stack's (<see cref="TablePrefix.WhyNotOwned"/>), for the run to say so.</param>
    public static async Task<IReadOnlyList<string>> ListAsync(IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, TablePrefix prefix, InvocationDeadline deadline,
        ICollection<string>? leftAlone = null)
    {
        var names = new List<string>();
        string? start = null;
        do
        {
            var page = await controlPlane.CallAsync("ListTables",
                token => dynamoDb.ListTablesAsync(new ListTablesRequest { Limit = 100, ExclusiveStartTableName = start }, token),
                deadline).ConfigureAwait(false);
            foreach (var name in page.TableNames ?? [])
            {
                if (prefix.Owns(name)) names.Add(name);
                else if (name.StartsWith(prefix.Value, StringComparison.Ordinal)) leftAlone?.Add(name);
            }
            start = string.IsNullOrEmpty(page.LastEvaluatedTableName) ? null : page.LastEvaluatedTableName;
        } while (start is not null);
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The environment's own tables, and one WARN line naming those under its prefix that are
    /// another stack's (<see cref="TablePrefix.WhyNotOwned"/>), left alone.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ListOwnAsync(FunctionServices services, ControlPlane controlPlane, InvocationDeadline deadline)
    {
        var prefix = services.Environment.TablePrefix;
        var leftAlone = new List<string>();
        var tables = await ListAsync(services.DynamoDb, controlPlane, prefix, deadline, leftAlone).ConfigureAwait(false);
        if (leftAlone.Count > 0)
            services.Logger.Warn("tables left alone: another stack's", ("tables", leftAlone.ToArray()), ("reason", prefix.WhyNotOwned(leftAlone[0])));
        return tables;
    }

    /// <summary>
    /// The tables a run asked for (<c>"tables": ["orders", "maip-dev-quotes"]</c>: suffixes or full
    /// names), among the environment's. A name that is not one of them is refused with the reason.
    /// No request means every table.
    /// </summary>
    public static TableSelection Select(IReadOnlyList<string> environmentTables, IReadOnlyList<string>? requested, TablePrefix prefix)
    {
        if (requested is null) return new(environmentTables, []);
        var known = environmentTables.ToHashSet(StringComparer.Ordinal);
        var selected = new List<string>();
        var refused = new List<RefusedTable>();
        foreach (var name in requested.Select(n => n?.Trim() ?? "").Distinct(StringComparer.Ordinal))
        {
            var full = prefix.FullNameOf(name);
            if (name.Length == 0)
                refused.Add(new(name, "an empty table name"));
            else if (known.Contains(full))
                selected.Add(full);
            else
                refused.Add(new(name, prefix.WhyNotOwned(full) ?? $"not a table of this environment ({prefix.Value}*)"));
        }
        return new(selected.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), refused);
    }
}

public sealed record TableSelection(IReadOnlyList<string> Tables, IReadOnlyList<RefusedTable> Refused);

public sealed record RefusedTable(string Name, string Reason);
