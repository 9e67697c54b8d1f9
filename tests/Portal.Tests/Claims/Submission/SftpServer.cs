using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Claims.Submission;

/// <summary>
/// A real OpenSSH server (Debian's openssh-server, /usr/sbin/sshd) for the SFTP transport tests: started on first use on a free
/// high port on 127.0.0.1, with its own config, host key and the current user's authorized client key in a temp folder, and
/// internal-sftp (no chroot: remote paths are the folders under <see cref="Root"/>). Stopped when the fixture ends.
/// </summary>
public static class SftpServer
{
    public static readonly string Root = Path.Combine(Path.GetTempPath(), $"portal-sftp-tests-{Environment.ProcessId}");
    public static string ClientKeyPath => Path.Combine(Root, "client_ed25519");
    public static string RemoteOut => Path.Combine(Root, "remote", "to-clearinghouse");
    public static string RemoteIn => Path.Combine(Root, "remote", "from-clearinghouse");
    public static string User => Environment.UserName;

    static Process? sshd;
    static readonly Lock Gate = new();

    public static int Port { get; private set; }
    /// <summary>The host key's SHA-256 fingerprint, base64 without padding (as ssh-keygen -lf prints after "SHA256:").</summary>
    public static string HostKeySha256 { get; private set; } = "";

    public static void EnsureStarted()
    {
        lock (Gate)
        {
            if (sshd is { HasExited: false }) return;
            var binary = File.Exists("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd";
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
            Directory.CreateDirectory(RemoteOut);
            Directory.CreateDirectory(RemoteIn);
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(Root, "host_ed25519"));
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ClientKeyPath);
            File.Copy(ClientKeyPath + ".pub", Path.Combine(Root, "authorized_keys"));
            var fingerprint = Run("ssh-keygen", "-lf", Path.Combine(Root, "host_ed25519.pub"));
            HostKeySha256 = fingerprint.Split(' ')[1]["SHA256:".Length..];
            // sshd running as root insists on its privilege separation directory.
            if (Environment.UserName == "root") Directory.CreateDirectory("/run/sshd");
            Port = FreePort();
            var config = Path.Combine(Root, "sshd_config");
            File.WriteAllText(config, $"""
                Port {Port}
                ListenAddress 127.0.0.1
                HostKey {Root}/host_ed25519
                PidFile {Root}/sshd.pid
                AuthorizedKeysFile {Root}/authorized_keys
                StrictModes no
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                UsePAM no
                AllowUsers {User}
                Subsystem sftp internal-sftp
                LogLevel ERROR

                """);
            sshd = Process.Start(new ProcessStartInfo(binary, ["-D", "-e", "-f", config])
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
            })!;
            sshd.BeginErrorReadLine();
            sshd.BeginOutputReadLine();
            var until = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                if (sshd.HasExited) throw new InvalidOperationException($"sshd exited with {sshd.ExitCode}; is openssh-server installed (.ci/run installs it)?");
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < until) { Thread.Sleep(50); }
            }
        }
    }

    public static void StopIfStarted()
    {
        lock (Gate)
        {
            if (sshd is { HasExited: false }) sshd.Kill(entireProcessTree: true);
            sshd?.Dispose();
            sshd = null;
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Empties the remote folders between tests.</summary>
    public static void Clear()
    {
        foreach (var dir in new[] { RemoteOut, RemoteIn })
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
        }
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        return output.Trim();
    }
}
