using System.Text;
using Amazon.DynamoDBv2;
using Functions.Common.Runtime;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>
/// The Runtime API loop every function's program runs, against the local Runtime API: the
/// contract of RuntimeSupport's runtime-api.yaml (next, response, error, init/error).
/// </summary>
public sealed class LambdaRuntimeTests : IDisposable
{
    private readonly LocalRuntimeApi _api = LocalRuntimeApi.Start();
    private readonly CancellationTokenSource _sigterm = new();
    private readonly MemoryStream _log = new();

    private Task<int> Serve(Func<LambdaHandler> init) => Task.Run(() => LambdaRuntime.ServeAsync(init, _api.Address, _log, _sigterm.Token));

    private static InvocationRequest Event(string payload, string? trace = null)
        => new(Encoding.UTF8.GetBytes(payload), Guid.NewGuid().ToString(), TimeSpan.FromSeconds(30), "arn:aws:lambda:us-east-1:123456789012:function:f", trace);

    private static async Task<Stream> Echo(Stream input, LambdaInvocation invocation)
    {
        var text = await new StreamReader(input).ReadToEndAsync();
        if (text == "\"fail\"") throw new InvalidOperationException("refused: not an event of this function");
        return new MemoryStream(Encoding.UTF8.GetBytes(
            $"{{\"echo\":{text},\"id\":\"{invocation.RequestId}\",\"left\":{(invocation.Deadline - DateTimeOffset.UtcNow).TotalSeconds:0},\"trace\":\"{Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID")}\"}}"));
    }

    [Fact]
    public async Task Events_are_served_in_turn_a_handler_error_on_the_error_route_and_the_next_still_served()
    {
        var loop = Serve(() => Echo);
        var first = Event("1", trace: "Root=1-a");
        var answers = new[] { _api.Enqueue(first), _api.Enqueue(Event("\"fail\"")), _api.Enqueue(Event("3")) };
        var results = await Task.WhenAll(answers.Select(a => a.Answer));

        Assert.Equal($"{{\"echo\":1,\"id\":\"{first.RequestId}\",\"left\":30,\"trace\":\"Root=1-a\"}}", Encoding.UTF8.GetString(results[0].Payload!));
        var error = results[1].Error!;
        Assert.Equal(("InvalidOperationException", "InvalidOperationException", "refused: not an event of this function"), (error.ErrorType, error.HeaderType, error.ErrorMessage));
        Assert.Contains(error.StackTrace, line => line.Contains(nameof(Echo), StringComparison.Ordinal));
        Assert.StartsWith("{\"echo\":3,", Encoding.UTF8.GetString(results[2].Payload!), StringComparison.Ordinal);
        Assert.Contains("\"message\":\"invocation failed\"", Encoding.UTF8.GetString(_log.ToArray()), StringComparison.Ordinal);

        await _sigterm.CancelAsync(); // idle: the loop ends at once
        Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_failed_init_goes_to_init_error_and_the_program_exits_non_zero()
    {
        var loop = Serve(() => throw new InvalidOperationException("TABLE_PREFIX is not set"));

        Assert.Equal(1, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
        var error = await _api.InitError;
        Assert.Equal(("InvalidOperationException", "TABLE_PREFIX is not set"), (error.ErrorType, error.ErrorMessage));
        Assert.Equal(0, _api.NextRequests); // no event is asked for after a failed init
    }

    [Theory]
    [InlineData(LambdaRuntime.MaxResponseBytes, true)]
    [InlineData(LambdaRuntime.MaxResponseBytes + 1, false)]
    public async Task A_response_over_lambdas_6_MB_is_an_error_never_one_cut_short(int bytes, bool answered)
    {
        var loop = Serve(() => (_, _) => Task.FromResult<Stream>(new MemoryStream(new byte[bytes])));

        var answer = await _api.Enqueue(Event("{}")).Answer;

        Assert.Equal(answered, answer.Payload is not null);
        Assert.Equal(answered ? bytes : 0, answer.Payload?.Length ?? 0);
        if (!answered) Assert.Equal(nameof(ResponseSizeTooLargeException), answer.Error?.ErrorType);
        await _sigterm.CancelAsync();
        Assert.Equal(0, await loop);
    }

    [Fact]
    public async Task An_aws_services_message_is_not_passed_on_as_it_can_quote_item_values()
    {
        var loop = Serve(() => (_, _) => throw new AmazonDynamoDBException("One or more parameter values were invalid: 'ana@example.com'")
            { ErrorCode = "ValidationException", StatusCode = System.Net.HttpStatusCode.BadRequest });

        var error = (await _api.Enqueue(Event("{}")).Answer).Error!;

        Assert.Equal("AmazonDynamoDBException", error.ErrorType);
        Assert.Contains("ValidationException (400)", error.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("ana@example.com", error.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("ana@example.com", Encoding.UTF8.GetString(_log.ToArray()), StringComparison.Ordinal);
        await _sigterm.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Sigterm_lets_the_event_in_hand_finish_and_be_answered_and_takes_no_other()
    {
        var (started, gate) = (new TaskCompletionSource(), new TaskCompletionSource());
        var loop = Serve(() => async (input, invocation) =>
        {
            started.SetResult();
            await gate.Task;
            return await Echo(input, invocation);
        });
        var inHand = _api.Enqueue(Event("1"));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var waiting = _api.Enqueue(Event("2"));

        await _sigterm.CancelAsync();
        gate.SetResult();

        Assert.NotNull((await inHand.Answer.WaitAsync(TimeSpan.FromSeconds(10))).Payload);
        Assert.Equal(0, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(waiting.Delivered.IsCompleted);
    }

    [Theory]
    [InlineData("next")]
    [InlineData("response")]
    public async Task A_runtime_api_answering_500_ends_the_program(string route)
    {
        _api.Faults[route] = 500;
        var loop = Serve(() => Echo);
        _ = _api.Enqueue(Event("1"));

        Assert.Equal(1, await loop.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_unreachable_runtime_api_ends_the_program()
    {
        var closed = LocalServer.FreePort(); // nothing listens there
        Assert.Equal(1, await LambdaRuntime.ServeAsync(() => Echo, $"127.0.0.1:{closed}", _log, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public void Dispose()
    {
        _api.Dispose();
        _sigterm.Dispose();
        _log.Dispose();
    }
}
