using System.Threading.Channels;

namespace Portal.Web.Platform;

/// <summary>
/// What a background worker sleeps on between rounds (ADR 0044): <see cref="Set"/>, called by the code that created work for it,
/// ends its current or next wait; a wake that comes while the worker is busy is kept for its next wait, so none is lost, and any
/// number of them count as one.
/// </summary>
public sealed class Wakeup
{
    readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => signal.Writer.TryWrite(true);

    /// <summary>Returns when woken or after <paramref name="timeout"/>; throws only when <paramref name="ct"/> is cancelled.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await signal.Reader.WaitToReadAsync(timer.Token);
            signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
