namespace Portal.Web.Platform;

/// <summary>
/// A gate that background work (reaction handlers, the webhook sender, statement runs and mails) passes before it touches the
/// database, so the database can be kept free of it for a moment: <see cref="PauseAsync"/> keeps new work out and waits until the
/// work in progress has left. The test fixture holds a pause while Respawn truncates every table (a multi-table TRUNCATE takes its
/// locks one table after another, and a worker's transaction over two of those tables locked in the other order made a deadlock);
/// an operator's maintenance script could do the same. Nothing is lost while paused: work waits at the gate and goes on after.
/// </summary>
public sealed class BackgroundWork
{
    readonly Lock sync = new();
    int running;
    int pauses;
    TaskCompletionSource resumed = Done();
    TaskCompletionSource? idle;

    static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>Waits while paused, then counts this work in until the returned lease is disposed.</summary>
    public async ValueTask<Lease> EnterAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (sync)
            {
                if (pauses == 0)
                {
                    running++;
                    return new Lease(this);
                }
                wait = resumed.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    /// <summary>
    /// A second lease for work started by work that holds one (a send the sender's claim round starts): it cannot wait at the gate,
    /// because a pause waiting for the first lease would then wait forever.
    /// </summary>
    public Lease Join()
    {
        lock (sync) running++;
        return new Lease(this);
    }

    void Leave()
    {
        lock (sync)
        {
            running--;
            if (running == 0 && idle is { } waiting)
            {
                idle = null;
                waiting.TrySetResult();
            }
        }
    }

    /// <summary>Keeps new work out and waits until the work in progress has left; disposing the answer lets work go on.</summary>
    public async Task<IAsyncDisposable> PauseAsync(CancellationToken ct = default)
    {
        Task wait;
        lock (sync)
        {
            if (pauses++ == 0) resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = running == 0 ? Task.CompletedTask : (idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        var pause = new Pause(this);
        try
        {
            await wait.WaitAsync(ct);
        }
        catch
        {
            await pause.DisposeAsync();
            throw;
        }
        return pause;
    }

    void Resume()
    {
        lock (sync)
            if (--pauses == 0) resumed.TrySetResult();
    }

    public sealed class Lease(BackgroundWork work) : IDisposable
    {
        int left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref left, 1) == 0) work.Leave();
        }
    }

    sealed class Pause(BackgroundWork work) : IAsyncDisposable
    {
        int resumed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref resumed, 1) == 0) work.Resume();
            return ValueTask.CompletedTask;
        }
    }
}
