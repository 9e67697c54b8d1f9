using System.Net.Sockets;

namespace Portal.Tests.Hardening;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the test PostgreSQL. <see cref="Cut"/> stops listening and drops every relayed
/// connection (what clients see when the database server goes away); <see cref="Restore"/> listens on the same port again.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    readonly string targetHost;
    readonly int targetPort;
    readonly List<TcpClient> relayed = [];
    TcpListener? listener;

    public TcpProxy(string targetHost, int targetPort)
    {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        listener = Listen(0);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public void Cut()
    {
        listener?.Stop();
        listener = null;
        lock (relayed)
        {
            foreach (var client in relayed) client.Dispose();
            relayed.Clear();
        }
    }

    public void Restore() => listener ??= Listen(Port);

    TcpListener Listen(int port)
    {
        var l = new TcpListener(IPAddress.Loopback, port);
        l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        l.Start();
        _ = AcceptAll(l);
        return l;
    }

    async Task AcceptAll(TcpListener l)
    {
        try
        {
            while (true) _ = Relay(await l.AcceptTcpClientAsync());
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException) { }
    }

    async Task Relay(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(targetHost, targetPort);
            lock (relayed) { relayed.Add(client); relayed.Add(server); }
            var (a, b) = (client.GetStream(), server.GetStream());
            await Task.WhenAny(a.CopyToAsync(b), b.CopyToAsync(a));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    public void Dispose() => Cut();
}
