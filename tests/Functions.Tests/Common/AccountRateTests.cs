using Amazon.DynamoDBv2;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;

namespace Functions.Tests;

/// <summary>
/// The control plane's rates are the account's (ListBackups 5 a second, ListTagsOfResource and
/// DeleteBackup 10, each API's reference page), shared with other environments: their throttling
/// is waited out within the time budget, and slows this invocation's pace.
/// </summary>
public class AccountRateTests
{
    private static AmazonDynamoDBException Throttled()
        => new("Rate of requests exceeds the allowed throughput.") { ErrorCode = "ThrottlingException", StatusCode = System.Net.HttpStatusCode.BadRequest };

    [Fact]
    public void A_throttled_operation_is_paced_twice_as_slow_each_time_up_to_eight_times_and_each_answer_takes_a_step_back()
    {
        var clock = new ManualClock();
        var pacer = new OperationPacer(OperationPacer.DynamoDbRates, clock);
        double Next() => Math.Round(pacer.Reserve("ListBackups").TotalSeconds, 6);

        // The spacing after a reservation is the operation's interval when it was made.
        double Gap() => Math.Round(-Next() + Next(), 6);

        Assert.Equal(0.2, Gap()); // 5 a second
        pacer.Throttled("ListBackups");
        Assert.Equal(0.4, Gap());
        foreach (var _ in Enumerable.Range(0, 5)) pacer.Throttled("ListBackups");
        Assert.Equal(1.6, Gap()); // 8 times at most
        pacer.Answered("ListBackups");
        Assert.Equal(1.28, Gap());
        Assert.Equal(0.1, Math.Round(-pacer.Reserve("DeleteBackup").TotalSeconds + pacer.Reserve("DeleteBackup").TotalSeconds, 6)); // another operation keeps its own rate
        pacer.Throttled("DescribeTable"); // not paced: no rate to slow
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("DescribeTable"));
    }

    [Fact]
    public async Task Throttling_of_a_shared_rate_is_waited_out_beyond_the_attempts_while_time_allows()
    {
        var clock = new ManualClock();
        var retry = new RetryPolicy(new RetryOptions { MaxAttempts = 3 }, random: () => 1.0, delay: (wait, _) => { clock.Advance(wait); return Task.CompletedTask; });
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(300), clock);
        var calls = 0;
        Task<string> Call(CancellationToken _) => ++calls <= 10 ? throw Throttled() : Task.FromResult("answered");

        Assert.Equal("answered", await retry.ExecuteAsync(Call, deadline, "ListBackups", waitOut: RetryPolicy.IsThrottling));
        Assert.Equal(11, calls);

        calls = 0; // the same throttling, not waited out: three attempts
        await Assert.ThrowsAsync<AmazonDynamoDBException>(() => retry.ExecuteAsync(Call, deadline, "ListBackups"));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Throttling_that_lasts_stops_before_the_cutoff_with_the_reason()
    {
        var clock = new ManualClock();
        var retry = new RetryPolicy(ControlPlane.DefaultRetryOptions(), random: () => 1.0, delay: (wait, _) => { clock.Advance(wait); return Task.CompletedTask; });
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(60), clock);
        var calls = 0;

        var error = await Assert.ThrowsAsync<DeadlineReachedException>(() =>
            retry.ExecuteAsync<string>(_ => { calls++; throw Throttled(); }, deadline, "ListBackups", waitOut: RetryPolicy.IsThrottling));

        Assert.Contains("ThrottlingException", error.Message, StringComparison.Ordinal);
        Assert.True(calls > ControlPlane.DefaultRetryOptions().MaxAttempts, $"{calls} calls");
        Assert.True(deadline.Elapsed <= deadline.Budget, $"{deadline.Elapsed} past the budget {deadline.Budget}");
    }

    [Theory]
    [InlineData("ThrottlingException", true)]
    [InlineData("RequestLimitExceeded", true)]
    [InlineData("LimitExceededException", false)] // too many table operations at once, or the switch quota: not a rate
    [InlineData("ValidationException", false)]
    public void Throttling_is_the_errors_dynamodb_documents_for_a_spent_rate(string code, bool throttling)
        => Assert.Equal(throttling, RetryPolicy.IsThrottling(new AmazonDynamoDBException("x") { ErrorCode = code }));
}
