using System.CommandLine;
using System.CommandLine.Invocation;
using Functions.Common.Audit;
using Functions.Common.Tables;
using Spectre.Console;

namespace Functions.AuditCli;

/// <summary>The verbs, their arguments and options, and the one-line errors with their exit codes.</summary>
public static class AuditCommandLine
{
    private static readonly Option<string> App = new("--app") { Description = "The application name of the tables ({app}-{env}-*)", DefaultValueFactory = _ => "maip", Recursive = true };
    private static readonly Option<string> Env = new("--env") { Description = "The environment", DefaultValueFactory = _ => "dev", Recursive = true };
    private static readonly Option<string?> Region = new("--region") { Description = "AWS region (default: AWS_REGION or the profile's)", Recursive = true };
    private static readonly Option<string?> Profile = new("--profile") { Description = "AWS profile (default: AWS_PROFILE or the default chain)", Recursive = true };
    private static readonly Option<string?> SortKey = new("--sort-key") { Description = "The item's sort key value, when the id covers several items", Recursive = true };
    private static readonly Argument<string> Entity = new("entity") { Description = "Entity type (order, customer, ...), its table's suffix (orders) or full name (maip-dev-orders)" };
    private static readonly Argument<string> Id = new("id") { Description = "The entity id: the item's partition key value" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of tables" };

    public static RootCommand Create(CliContext context)
    {
        Env.AcceptOnlyFromAmong("dev", "staging", "prod");
        var root = new RootCommand(
            "Item-level history, diff and undo from the audit trail ({app}-{env}-audit).\n" +
            $"Times: {AuditTime.Forms}.\n" +
            $"Set {DynamoDbConnection.EndpointVariable} to use moto or DynamoDB Local.\n\nExit codes:\n" +
            string.Join("\n", ExitCodes.All.Select(c => $"  {c.Code}  {c.Meaning}")))
        {
            App, Env, Region, Profile, SortKey,
        };
        root.Add(HistoryCommand(context));
        root.Add(ShowCommand(context));
        root.Add(DiffCommand(context));
        root.Add(UndoCommand(context));
        return root;
    }

    /// <summary>Parses and runs; a bad command line prints its errors and exits <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        var parsed = Create(context).Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors) await context.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            await context.Error.WriteLineAsync("Run with --help for the verbs, options and exit codes.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }

    private static Command HistoryCommand(CliContext context)
    {
        var from = new Option<string?>("--from") { Description = "From this time or timestamp (inclusive)" };
        var to = new Option<string?>("--to") { Description = "Up to this time or timestamp (inclusive)" };
        var command = new Command("history", "One entity's changes in order: time, event, actor, changed attributes") { Entity, Id, from, to, Json };
        command.SetAction((parsed, _) => Run(context, parsed, async session =>
        {
            var (start, end) = (session.Point(parsed.GetValue(from)), session.Point(parsed.GetValue(to)));
            if (start is not null && end is not null && string.CompareOrdinal(start.LowerBound, end.UpperBound) > 0)
                throw new CliException(ExitCodes.Usage, $"--from {start} is after --to {end}.");
            var changes = await session.Store.ReadAsync(session.Entity, start?.LowerBound, end?.UpperBound).ConfigureAwait(false);
            if (changes.Count == 0)
                throw new CliException(ExitCodes.NotFound, $"No audit record of {session.Entity.AuditKey} in {session.Entity.AuditTableName}" +
                                                          (start is null && end is null ? "." : $" between {start?.ToString() ?? "the start"} and {end?.ToString() ?? "now"}."));
            var history = new EntityHistory(session.Entity, changes);
            if (parsed.GetValue(SortKey) is { } sortKey) history = history.ForOneItem(sortKey);
            if (parsed.GetValue(Json)) AuditViews.HistoryJson(context.Out, history);
            else AuditViews.History(session.Console, history);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ShowCommand(CliContext context)
    {
        var at = new Option<string>("--at") { Description = "The time or timestamp", Required = true };
        var command = new Command("show", "The item as it was at a time: from the newest audit record at or before it") { Entity, Id, at, Json };
        command.SetAction((parsed, _) => Run(context, parsed, async session =>
        {
            var point = session.Point(parsed.GetValue(at))!;
            var history = await session.OneItemAsync(parsed.GetValue(SortKey)).ConfigureAwait(false);
            var (state, basis) = history.StateAt(point);
            if (!state.IsKnown) throw new CliException(ExitCodes.CannotTell, $"What {session.Entity.AuditKey} was at {point} is not known: {state.UnknownBecause}.");
            if (parsed.GetValue(Json)) AuditViews.ShowJson(context.Out, session.Entity, point, state, basis);
            else AuditViews.Show(session.Console, session.Entity, point, state, basis);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command DiffCommand(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "The earlier time or timestamp", Required = true };
        var to = new Option<string>("--to") { Description = "The later time or timestamp", Required = true };
        var command = new Command("diff", "Attribute by attribute, nested values included, between the item at two times") { Entity, Id, from, to, Json };
        command.SetAction((parsed, _) => Run(context, parsed, async session =>
        {
            var (start, end) = (session.Point(parsed.GetValue(from))!, session.Point(parsed.GetValue(to))!);
            var history = await session.OneItemAsync(parsed.GetValue(SortKey)).ConfigureAwait(false);
            var (before, beforeBasis) = history.StateAt(start);
            var (after, afterBasis) = history.StateAt(end);
            foreach (var (state, point) in new[] { (before, start), (after, end) })
                if (!state.IsKnown) throw new CliException(ExitCodes.CannotTell, $"What {session.Entity.AuditKey} was at {point} is not known: {state.UnknownBecause}.");
            var changes = ItemDiff.Between(before.Attributes, after.Attributes);
            if (parsed.GetValue(Json)) AuditViews.DiffJson(context.Out, session.Entity, (start, beforeBasis), (end, afterBasis), changes);
            else
            {
                AuditViews.Diff(session.Console, $"{session.Entity.AuditKey} from {start} to {end}", changes);
                foreach (var state in new[] { before, after }) AuditViews.Redacted(session.Console, state);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command UndoCommand(CliContext context)
    {
        var to = new Option<string>("--to") { Description = "Put the item back as it was at this time, or right after the change this timestamp names", Required = true };
        var actor = new Option<string>("--actor") { Description = "Who undoes: written into the actor attribute, so the undo is audited too", Required = true };
        var actorAttribute = new Option<string>("--actor-attribute")
        {
            Description = "The attribute the audit trail takes its actor from (template parameter AuditActorAttribute)",
            DefaultValueFactory = _ => AuditItem.DefaultActorAttribute,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change and write nothing" };
        var command = new Command("undo",
            "Put the item back as it was at a time (or delete it if it did not exist then); only if it is exactly as its newest audit record says")
        {
            Entity, Id, to, actor, actorAttribute, dryRun,
        };
        command.SetAction((parsed, _) => Run(context, parsed, async session =>
        {
            var point = session.Point(parsed.GetValue(to))!;
            var who = parsed.GetValue(actor)!.Trim();
            if (who.Length == 0) throw new CliException(ExitCodes.Usage, "--actor is empty: name who undoes the change.");
            var attribute = parsed.GetValue(actorAttribute)!;
            var history = await session.OneItemAsync(parsed.GetValue(SortKey)).ConfigureAwait(false);
            var current = await session.Store.CurrentAsync(session.Entity, history.Newest.Keys).ConfigureAwait(false);
            var plan = UndoPlanner.Plan(history, point, current, attribute, who);
            var undo = UndoProgress.Start(plan, session.Entity.AuditKey, attribute, who, parsed.GetValue(dryRun));

            session.Console.Write(new Text(plan.Summary + "\n"));
            if (undo.State == UndoState.NothingToDo) return ExitCodes.Ok;
            AuditViews.Diff(session.Console, $"{session.Entity.TableName}, now -> after the undo", plan.Diff);
            if (undo.State == UndoState.DryRun)
            {
                session.Console.Write(new Text(undo.Outcome.Message + "\n"));
                return undo.Outcome.ExitCode;
            }
            var outcome = (await session.Store.UndoAsync(session.Entity, undo).ConfigureAwait(false)).Outcome;
            if (outcome.ExitCode == ExitCodes.Ok) session.Console.Write(new Text(outcome.Message + "\n", new Style(Color.Green)));
            else await context.Error.WriteLineAsync("error: " + outcome.Message).ConfigureAwait(false);
            return outcome.ExitCode;
        }));
        return command;
    }

    /// <summary>One verb's run: its session, and every failure as one line with its exit code (no stack trace).</summary>
    private static async Task<int> Run(CliContext context, ParseResult parsed, Func<Session, Task<int>> verb)
    {
        try
        {
            TablePrefix prefix;
            try
            {
                prefix = TablePrefix.For(parsed.GetValue(App)!, parsed.GetValue(Env)!);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ExitCodes.Usage, ex.Message.Split(" (Parameter")[0]);
            }
            var entity = EntityRef.Resolve(parsed.GetValue(Entity)!, parsed.GetValue(Id)!, prefix);
            var connection = new ConnectionOptions(parsed.GetValue(Region), parsed.GetValue(Profile));
            // Connected on first use, so a bad time is reported as such before any AWS setting is needed.
            using var session = new Session(entity, context.CreateConsole(), context.Clock,
                () => (context.ClientFactory ?? DynamoDbConnection.Create)(connection), DynamoDbConnection.Describe(connection));
            return await verb(session).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await context.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (ArgumentException ex)
        {
            await context.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The tool's last word: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await context.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    private sealed class Session(EntityRef entity, IAnsiConsole console, TimeProvider clock, Func<Amazon.DynamoDBv2.IAmazonDynamoDB> connect, string endpoint)
        : IDisposable
    {
        private Amazon.DynamoDBv2.IAmazonDynamoDB? _client;
        private AuditStore? _store;

        public EntityRef Entity => entity;
        public IAnsiConsole Console => console;

        public AuditStore Store => _store ??= new AuditStore(_client = connect(), clock, endpoint);

        public AuditPoint? Point(string? text) => text is null ? null : AuditTime.Parse(text, clock.GetUtcNow());

        /// <summary>Every audit record of the one item the command is about.</summary>
        public async Task<EntityHistory> OneItemAsync(string? sortKey)
        {
            var changes = await Store.ReadAsync(Entity).ConfigureAwait(false);
            if (changes.Count == 0) throw new CliException(ExitCodes.NotFound, $"No audit record of {Entity.AuditKey} in {Entity.AuditTableName}.");
            return new EntityHistory(Entity, changes).ForOneItem(sortKey);
        }

        public void Dispose() => _client?.Dispose();
    }
}
