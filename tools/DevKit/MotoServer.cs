using System.Diagnostics;
using System.Globalization;

namespace Functions.DevKit;

/// <summary>
/// moto_server on a free loopback port: the local AWS for the control plane (backups, PITR,
/// tags, UpdateTable) and CloudFormation. Fails loudly when moto_server is not installed.
/// </summary>
public static class MotoServer
{
    public static Task<LocalServer> StartAsync(TimeSpan? timeout = null)
    {
        var executable = LocalServer.FindOnPath("moto_server")
            ?? throw new InvalidOperationException(
                "moto_server is not on PATH. Install it with: pip install 'moto[server]==5.2.1'");
        var port = LocalServer.FreePort();
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) },
        };
        return LocalServer.StartAsync("moto_server", info, port, async (http, endpoint) =>
        {
            using var response = await http.GetAsync(new Uri(endpoint, "/moto-api/data.json")).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, timeout ?? TimeSpan.FromSeconds(60));
    }
}
