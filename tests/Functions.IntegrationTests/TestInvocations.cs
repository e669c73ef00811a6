using System.Runtime.CompilerServices;
using Functions.Common.Runtime;

namespace Functions.IntegrationTests;

/// <summary>
/// The invocation a test's function gets, as Lambda gives it: the function's Timeout from the
/// moment it is invoked (the template's, or the test's), on the function's own clock.
/// </summary>
internal sealed class TestInvocations
{
    private readonly ConditionalWeakTable<object, Limits> _of = new();

    private sealed record Limits(TimeSpan Timeout, TimeProvider Clock);

    public T Register<T>(T function, TimeSpan timeout, TimeProvider? clock = null) where T : class
    {
        _of.AddOrUpdate(function, new Limits(timeout, clock ?? TimeProvider.System));
        return function;
    }

    /// <summary>A new invocation of the function, starting now.</summary>
    public LambdaInvocation Next(object function)
        => _of.TryGetValue(function, out var limits)
            ? LambdaInvocation.Local(limits.Timeout, limits.Clock)
            : throw new InvalidOperationException("The function was not made by this environment.");

    /// <summary>The template's Timeout of the function.</summary>
    public static TimeSpan TemplateTimeout(string app, string logicalId)
        => TimeSpan.FromSeconds(Functions.DevKit.FunctionDefinition.Read(TestTemplate.Context(app), logicalId).TimeoutSeconds);
}
