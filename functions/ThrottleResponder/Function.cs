using System.Text.Json;

namespace Functions.ThrottleResponder;

/// <summary>
/// Switches a provisioned table of the environment to on-demand when its throttling alarm goes
/// into ALARM for want of capacity, records the other causes (a hot partition, the on-demand
/// maximum, the account's quota) without changing anything, and switches a table back to its
/// recorded capacity on request.
/// Handler: <c>ThrottleResponder</c> (Program.cs hosts it).
/// </summary>
internal sealed class Function(FunctionServices services, ThrottleSettings settings) : IFunction<ThrottleResponse>
{
    public const string Service = "throttle-responder";

    public JsonTypeInfo<ThrottleResponse> ResponseType => ThrottleJsonContext.Wire.ThrottleResponse;

    /// <summary>
    /// One invocation. Throws <see cref="ThrottleResponseFailedException"/> after every other table
    /// is handled when a switch or restore failed (a missing table, one still updating), so
    /// Lambda's asynchronous retry tries again and the Errors alarm sees it.
    /// </summary>
    public async Task<ThrottleResponse> RunAsync(ReadOnlyMemory<byte> payload, InvocationDeadline deadline)
    {
        // LimitExceededException is never retried here: TableSwitcher tells the daily switch quota
        // (final) from too many table operations at once and a limit DynamoDB does not name (waited out).
        var switcher = new TableSwitcher(services.DynamoDb, services.ControlPlane(ControlPlane.DefaultRetryOptions()), services.AuditWriter(), settings,
            services.Environment, services.Clock, deadline);

        var response = ManualCommandOf(payload.Span) is { } command
            ? await RestoreAsync(command, switcher).ConfigureAwait(false)
            : await RespondToAlarmsAsync(payload, switcher).ConfigureAwait(false);
        Report(response);
        if (response.Results.Any(r => r.Outcome == ThrottleOutcome.Failed))
            throw new ThrottleResponseFailedException(response);
        return response;
    }

    private async Task<ThrottleResponse> RespondToAlarmsAsync(ReadOnlyMemory<byte> json, TableSwitcher switcher)
    {
        var dryRun = settings.DryRun || TopLevelDryRun(json.Span);
        var alarms = AlarmEvents.Parse(json.Span);
        var results = new List<TableResponse>();
        foreach (var alarm in alarms)
        {
            if (!alarm.IsInAlarm)
            {
                results.Add(new TableResponse { Alarm = alarm.AlarmName, Outcome = ThrottleOutcome.Ignored, Reason = $"{alarm.PreviousState} -> {alarm.State}: only ALARM acts" });
                continue;
            }
            var (targets, refused) = ThrottlePolicy.TargetsOf(alarm, services.Environment.TablePrefix);
            results.AddRange(refused.Select(r => new TableResponse { Alarm = alarm.AlarmName, Table = r.Table, Outcome = ThrottleOutcome.Refused, Reason = r.Reason }));
            foreach (var target in targets)
                results.Add(ThrottleCauses.OnDemandHelps(target.Cause)
                    ? await switcher.SwitchAsync(alarm, target, dryRun).ConfigureAwait(false)
                    : await switcher.RecordNotSwitchedAsync(alarm, target, dryRun).ConfigureAwait(false));
        }
        return new ThrottleResponse { Action = "switch", DryRun = dryRun, Results = results };
    }

    private async Task<ThrottleResponse> RestoreAsync(ManualCommand command, TableSwitcher switcher)
    {
        var dryRun = settings.DryRun || command.DryRun;
        var name = command.Table!.Trim();
        var table = services.Environment.TablePrefix.FullNameOf(name);
        var notOurs = name.Contains(' ', StringComparison.Ordinal) ? $"not a table of this environment ({services.Environment.TablePrefix.Value}*)" : services.Environment.TablePrefix.WhyNotOwned(table);
        var result = notOurs is null
            ? await switcher.RestoreAsync(table, dryRun).ConfigureAwait(false)
            : new TableResponse { Table = name, Outcome = ThrottleOutcome.Refused, Reason = notOurs };
        return new ThrottleResponse { Action = "restore", DryRun = dryRun, Results = [result] };
    }

    // {"action": ...} is a manual command; anything else must be an alarm.
    private static ManualCommand? ManualCommandOf(ReadOnlySpan<byte> json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(LambdaPayload.WithoutByteOrderMark(json).ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null; // AlarmEvents.Parse reports it
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("action", out _)) return null;
        ManualCommand? command;
        try
        {
            command = root.Deserialize(ThrottleJsonContext.Wire.ManualCommand);
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The command is not {{\"action\": \"restore\", \"table\": \"<name or suffix>\"}}: {ex.Message}");
        }
        if (command?.Action != "restore")
            throw new InvalidEventException($"Unknown action \"{command?.Action}\": the one manual action is \"restore\".");
        if (string.IsNullOrWhiteSpace(command.Table))
            throw new InvalidEventException("A restore names its table: {\"action\": \"restore\", \"table\": \"orders\"}.");
        return command;
    }

    // {"dryRun": true} beside an alarm event's own keys: try a real alarm payload safely.
    private static bool TopLevelDryRun(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(LambdaPayload.WithoutByteOrderMark(json), LambdaPayload.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isDryRun = reader.ValueTextEquals("dryRun"u8);
            reader.Read();
            if (isDryRun) return reader.TokenType == JsonTokenType.True;
            reader.Skip();
        }
        return false;
    }

    private void Report(ThrottleResponse response)
    {
        int Count(ThrottleOutcome outcome) => response.Results.Count(r => r.Outcome == outcome);
        foreach (var result in response.Results.Where(r => r.Outcome is ThrottleOutcome.Failed or ThrottleOutcome.Refused or ThrottleOutcome.NotSwitched))
            services.Logger.Warn(result.Outcome switch
                {
                    ThrottleOutcome.Failed => "throttle response failed",
                    ThrottleOutcome.Refused => "throttle response refused",
                    _ => "throttling recorded, nothing switched",
                },
                ("alarm", result.Alarm), ("table", result.Table), ("cause", result.Cause), ("reason", result.Reason));
        services.Logger.Info("throttle response",
            ("action", response.Action), ("dry_run", response.DryRun),
            ("switched", Count(ThrottleOutcome.Switched)), ("would_switch", Count(ThrottleOutcome.WouldSwitch)),
            ("already_on_demand", Count(ThrottleOutcome.AlreadyOnDemand)), ("not_switched", Count(ThrottleOutcome.NotSwitched)),
            ("ignored", Count(ThrottleOutcome.Ignored)),
            ("refused", Count(ThrottleOutcome.Refused)), ("failed", Count(ThrottleOutcome.Failed)),
            ("restored", Count(ThrottleOutcome.Restored)),
            ("results", response.Results.Select(r => $"{r.Alarm ?? "restore"} / {r.Table ?? "-"}: {r.Outcome.WireName()} ({r.Reason})").ToArray()));
        // What each delivery saw is the log's; the metrics count each event once (CountsAs).
        services.Metrics.Publish(ThrottleMetrics.All.Select(m => new Metric(m, response.Results.Count(r => r.CountsAs == m))).ToList());
    }
}
