using System.Diagnostics;
using System.Globalization;

namespace Functions.DevKit;

/// <summary>
/// A template function run as Lambda runs it: its package's program started the way the dotnet10
/// runtime's bootstrap starts it, with Lambda's environment, fed its events by a
/// <see cref="LocalRuntimeApi"/>. The first event starts the process (a cold start) and later ones
/// reuse it (warm), until a timeout, a crash or a failed init ends it: then, as in Lambda, the
/// next event starts a new one. One event at a time.
/// </summary>
public sealed class LocalLambda : IAsyncDisposable
{
    private readonly FunctionPackage _package;
    private readonly FunctionDefinition _function;
    private readonly string _region;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly Action<string>? _echo;
    private readonly Action<LocalRuntimeApi>? _onStart;
    private readonly string? _bootstrap;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly List<string> _output = [];
    private Process? _process;
    private LocalRuntimeApi? _api;
    private Task? _exited;
    private int _served;

    /// <param name="environment">Added to the function's (credentials, endpoints): what `sam local` passes through.</param>
    /// <param name="echo">Each line the process writes, as it comes (its logs).</param>
    /// <param name="onStart">Each new process's Runtime API, before the process starts (tests set faults on it).</param>
    /// <param name="bootstrap">A bootstrap program to start instead of what it would exec (see <see cref="FunctionPackage.StartInfo"/>).</param>
    public LocalLambda(FunctionPackage package, FunctionDefinition function, string region,
        IReadOnlyDictionary<string, string?>? environment = null, Action<string>? echo = null, Action<LocalRuntimeApi>? onStart = null,
        string? bootstrap = null)
    {
        _bootstrap = bootstrap;
        _onStart = onStart;
        _package = package;
        _function = function;
        _region = region;
        _environment = environment ?? new Dictionary<string, string?>();
        _echo = echo;
    }

    public FunctionDefinition Function => _function;

    /// <summary>The region of the caller's AWS settings, as the SDK would pick it (us-east-1 when none).</summary>
    public static string Region()
        => Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r
           : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d
           : "us-east-1";

    /// <summary>The running process's id, if one runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public string InvokedFunctionArn => $"arn:aws:lambda:{_region}:123456789012:function:{_function.FunctionName}";

    /// <summary>
    /// One event, answered as Lambda would answer its invoker: the response, or the function's
    /// error, an init error, the process's exit, or the timeout (the process is then stopped).
    /// As in Lambda, the timeout runs from when the process takes the event; init, which Lambda
    /// limits to 10 seconds, is not counted in it.
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, TimeSpan? timeout = null, string? traceId = null)
    {
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            var cold = _process is null || _process.HasExited;
            var clock = Stopwatch.StartNew();
            if (cold) Start();
            var firstLine = OutputCount();
            var limit = timeout ?? TimeSpan.FromSeconds(_function.TimeoutSeconds);
            var request = new InvocationRequest(payload, Guid.NewGuid().ToString(), limit, InvokedFunctionArn,
                traceId ?? $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid().ToString("N")[..24]};Parent={Guid.NewGuid().ToString("N")[..16]};Sampled=0");
            var api = _api!;
            var queued = api.Enqueue(request);

            var delivered = await FirstOfAsync(queued.Delivered, api, InitLimit).ConfigureAwait(false);
            var init = clock.Elapsed;
            var ran = Stopwatch.StartNew();
            var answered = delivered && await FirstOfAsync(queued.Answer, api, queued.Delivered.Result - DateTimeOffset.UtcNow).ConfigureAwait(false);
            var duration = ran.Elapsed;

            InvocationResult Result(byte[]? body, FunctionError? error, int? exitCode = null)
                => new(request.RequestId, request.TraceId, body, error, cold, cold ? init : TimeSpan.Zero, duration, OutputSince(firstLine), exitCode);

            if (answered)
            {
                _served++;
                await DrainAsync(api).ConfigureAwait(false);
                return Result(queued.Answer.Result.Payload, queued.Answer.Result.Error);
            }
            if (api.InitError.IsCompleted)
            {
                var exit = await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                return Result(null, api.InitError.Result with { Phase = "init" }, exit);
            }
            if (_exited!.IsCompleted)
            {
                var exit = await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                return Result(null, new FunctionError("Runtime.ExitError", $"Runtime exited with error: exit status {exit}", [], null), exit);
            }
            await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            return Result(null, delivered
                ? new FunctionError("Sandbox.Timedout", string.Create(CultureInfo.InvariantCulture, $"Task timed out after {limit.TotalSeconds:0.00} seconds"), [], null)
                : new FunctionError("Runtime.InitTimeout", $"The process did not ask for its event within {InitLimit.TotalSeconds:0} seconds of starting.", [], null) { Phase = "init" });
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Lambda's limit on a function's init (on-demand).</summary>
    public static readonly TimeSpan InitLimit = TimeSpan.FromSeconds(10);

    /// <summary>True when <paramref name="task"/> completes first, before an init error, the process's exit or <paramref name="within"/>.</summary>
    private async Task<bool> FirstOfAsync(Task task, LocalRuntimeApi api, TimeSpan within)
    {
        using var timer = new CancellationTokenSource();
        var expiry = Task.Delay(within > TimeSpan.Zero ? within : TimeSpan.Zero, timer.Token);
        await Task.WhenAny(task, api.InitError, _exited!, expiry).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        return task.IsCompletedSuccessfully;
    }

    /// <summary>Sends SIGTERM, as Lambda does at shutdown, and waits for the process to exit; its exit code.</summary>
    public async Task<int?> TerminateAsync(TimeSpan wait)
    {
        if (_process is not { HasExited: false } process) return _process?.ExitCode;
        _ = Kill(process.Id, 15);
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            process.WaitForExit(); // the output's end
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Every line the processes wrote so far.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_output) return _output.ToList(); }
    }

    private void Start()
    {
        _api?.Dispose();
        _api = LocalRuntimeApi.Start();
        _onStart?.Invoke(_api);
        _served = 0;
        var info = _package.StartInfo(_bootstrap);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var (name, value) in LambdaEnvironment()) info.Environment[name] = value;
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"{info.FileName} did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _exited = process.WaitForExitAsync();
    }

    /// <summary>
    /// The process's environment as Lambda sets it: the template's variables, then what Lambda
    /// reserves. The caller's own environment (AWS credentials, endpoints, faketime) is inherited,
    /// as `sam local` passes credentials through.
    /// </summary>
    private Dictionary<string, string?> LambdaEnvironment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["LOG_SINK"] = null, // the functions' lines go to stdout, as in Lambda
            ["_X_AMZN_TRACE_ID"] = null,
        };
        foreach (var (name, value) in _function.Environment) variables[name] = value;
        foreach (var (name, value) in _environment) variables[name] = value;
        variables["AWS_LAMBDA_RUNTIME_API"] = _api!.Address;
        variables["LAMBDA_TASK_ROOT"] = _package.TaskRoot;
        variables["_HANDLER"] = _function.Handler;
        variables["AWS_REGION"] = _region;
        variables["AWS_DEFAULT_REGION"] = _environment.TryGetValue("AWS_DEFAULT_REGION", out var region) ? region : _region;
        variables["AWS_LAMBDA_FUNCTION_NAME"] = _function.FunctionName;
        variables["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = _function.MemorySize.ToString(CultureInfo.InvariantCulture);
        variables["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{_function.FunctionName}";
        variables["AWS_LAMBDA_LOG_STREAM_NAME"] = $"{DateTime.UtcNow:yyyy/MM/dd}/[$LATEST]{Guid.NewGuid():N}";
        variables["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        variables["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + _function.Runtime;
        variables["TZ"] = ":UTC";
        return variables;
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        _echo?.Invoke(line);
    }

    private int OutputCount()
    {
        lock (_output) return _output.Count;
    }

    private List<string> OutputSince(int first)
    {
        lock (_output) return _output.Skip(first).ToList();
    }

    // The process writes its lines before it answers and asks for the next event after; once it
    // asks, its lines are in the pipe: wait until they have been read (quiet for a moment).
    private async Task DrainAsync(LocalRuntimeApi api)
    {
        var asked = Stopwatch.StartNew();
        while (api.NextRequests <= _served && !_exited!.IsCompleted && asked.Elapsed < TimeSpan.FromSeconds(2))
            await Task.Delay(2).ConfigureAwait(false);
        var seen = OutputCount();
        for (var quiet = 0; quiet < 3; quiet++)
        {
            await Task.Delay(10).ConfigureAwait(false);
            var now = OutputCount();
            if (now != seen) (seen, quiet) = (now, -1);
        }
    }

    private async Task<int?> StopAsync(TimeSpan grace)
    {
        var process = _process;
        if (process is null) return null;
        using (var wait = new CancellationTokenSource(grace))
        {
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.WaitForExit();
        var exit = process.ExitCode;
        process.Dispose();
        _process = null;
        _api?.Dispose();
        _api = null;
        return exit;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process?.Dispose();
        _api?.Dispose();
        _oneAtATime.Dispose();
    }
}
