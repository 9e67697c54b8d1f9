namespace Portal.Web.Platform;

/// <summary>
/// The page a browser gets when a request fails with an exception. Self-contained on purpose: the usual error page
/// runs the layout, which reads the practice list from the database, and the database may be what failed.
/// </summary>
static class ErrorPage
{
    public static Task WriteAsync(HttpContext context, int status)
    {
        var (title, text) = status switch
        {
            503 => ("We can't reach the database right now",
                "Nothing was lost or changed. Portal will be back by itself as soon as the database answers again; try again in a minute."),
            400 => ("That request could not be read", "Something in what was sent cannot be stored. Go back, check the form and try again."),
            409 => ("That conflicts with the current state", "Someone may have changed this in the meantime. Go back, reload and try again."),
            412 => ("This changed since you opened it", "Go back, reload the page, then apply your change again."),
            _ => ("Something went wrong", "Please try again. If it keeps happening, tell us the time it happened."),
        };
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{{title}} · Portal</title>
                <link rel="stylesheet" href="/css/site.css" />
            </head>
            <body class="bare">
                <main id="main">
                    <div class="panel empty" role="alert">
                        <strong>{{title}}</strong>
                        <p>{{text}}</p>
                        <p><a class="button secondary" href="/">Back to my practices</a></p>
                    </div>
                </main>
            </body>
            </html>
            """, context.RequestAborted);
    }
}
