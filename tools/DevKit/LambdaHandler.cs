using System.Reflection;
using System.Runtime.Loader;

namespace Functions.DevKit;

/// <summary>
/// A handler string resolved the way the dotnet10 managed runtime resolves it without
/// Amazon.Lambda.Core: <c>Assembly::Namespace.Type::Method</c>, the method found by name (an
/// overload is ambiguous), taking a Stream and returning void, Task, Stream or Task&lt;Stream&gt;.
/// The assembly loads in its own context with its .deps.json, as in Lambda.
/// </summary>
public sealed class LambdaHandler
{
    private readonly MethodInfo _method;
    private readonly object? _instance;

    private LambdaHandler(MethodInfo method, object? instance)
    {
        _method = method;
        _instance = instance;
    }

    public static LambdaHandler Load(string assemblyPath, string handler)
    {
        var method = Resolve(assemblyPath, handler);
        // Instance handlers are constructed once, at init, with the public parameterless constructor.
        var instance = method.IsStatic ? null : CreateInstance(method.DeclaringType!);
        return new LambdaHandler(method, instance);
    }

    /// <summary>Finds and checks the handler method without constructing anything.</summary>
    public static MethodInfo Resolve(string assemblyPath, string handler)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new HandlerException($"Handler '{handler}' is not of the form Assembly::Namespace.Type::Method.");
        var (assemblyName, typeName, methodName) = (parts[0], parts[1], parts[2]);
        if (!string.Equals(Path.GetFileNameWithoutExtension(assemblyPath), assemblyName, StringComparison.Ordinal))
            throw new HandlerException($"Handler '{handler}' names assembly '{assemblyName}', not {Path.GetFileName(assemblyPath)}.");
        if (!File.Exists(assemblyPath))
            throw new HandlerException($"{assemblyPath} does not exist: build the function first.");

        var context = new FunctionLoadContext(assemblyPath);
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        var type = assembly.GetType(typeName)
                   ?? throw new HandlerException($"Type '{typeName}' is not in {assemblyName}.");
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == methodName).ToList();
        var method = candidates.Count switch
        {
            0 => throw new HandlerException($"'{typeName}' has no public method '{methodName}'."),
            1 => candidates[0],
            _ => throw new HandlerException($"'{typeName}.{methodName}' is overloaded; the runtime cannot choose."),
        };
        CheckSignature(method);
        if (!method.IsStatic && type.GetConstructor(Type.EmptyTypes) is null)
            throw new HandlerException($"'{typeName}' needs a public parameterless constructor for an instance handler.");
        return method;
    }

    private static void CheckSignature(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var returns = method.ReturnType;
        var supportedReturn = returns == typeof(void) || returns == typeof(Task) || returns == typeof(Stream)
                              || returns == typeof(Task<Stream>);
        if (parameters.Length != 1 || parameters[0].ParameterType != typeof(Stream) || !supportedReturn)
            throw new HandlerException(
                $"'{method.DeclaringType}.{method.Name}' must take one Stream and return void, Task, Stream or Task<Stream> " +
                "(other types need Amazon.Lambda.Core's serializer attribute).");
    }

    private static object CreateInstance(Type type)
    {
        try
        {
            return Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new FunctionErrorException(ex.InnerException);
        }
    }

    /// <summary>Invokes the handler with the event; returns the response payload, or null for void/Task.</summary>
    public async Task<byte[]?> InvokeAsync(byte[] payload, TimeSpan timeout)
    {
        var input = new MemoryStream(payload, writable: false);
        var run = Task.Run(async () =>
        {
            object? result;
            try
            {
                result = _method.Invoke(_instance, [input]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new FunctionErrorException(ex.InnerException);
            }
            try
            {
                switch (result)
                {
                    case Task<Stream> streamTask: return Read(await streamTask.ConfigureAwait(false));
                    case Task task: await task.ConfigureAwait(false); return null;
                    case Stream stream: return Read(stream);
                    default: return null;
                }
            }
            catch (Exception ex) when (ex is not FunctionErrorException)
            {
                throw new FunctionErrorException(ex);
            }
        });
        if (await Task.WhenAny(run, Task.Delay(timeout)).ConfigureAwait(false) != run)
            throw new TimeoutException($"Task timed out after {timeout.TotalSeconds:0.00} seconds");
        return await run.ConfigureAwait(false);
    }

    // Like the runtime: the payload is what remains from the stream's current position.
    private static byte[] Read(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed class FunctionLoadContext(string assemblyPath) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(Path.GetFullPath(assemblyPath));

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Stream and Task must be the host's own types, or no signature would match.
            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }
    }
}

public sealed class HandlerException(string message) : Exception(message);

/// <summary>The function itself threw: reported Lambda-style, as errorType and errorMessage.</summary>
public sealed class FunctionErrorException(Exception inner) : Exception(inner.Message, inner)
{
    public string ErrorType => InnerException!.GetType().Name;
}
