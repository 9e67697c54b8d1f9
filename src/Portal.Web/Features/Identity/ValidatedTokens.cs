using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Validation.OpenIddictValidationEvents;
using Protection = OpenIddict.Validation.OpenIddictValidationHandlers.Protection;

namespace Portal.Web.Features.Identity;

/// <summary>
/// An access token's signature is checked once per node, not on every request (ADR 0041). An app sends the same JWT with every
/// call for up to an hour, and re-verifying its RSA signature and re-reading its claims was the largest single piece of the web
/// process's work per API request after the access statement (libcrypto alone ~4 % of the node's CPU under load).
/// <para>
/// What is kept is only what IdentityModel derived from the token's own bytes: the principal after OpenIddict has validated the
/// signature, issuer, type and lifetime and mapped its claims. The key is the whole token string together with the issuers and
/// token types the validation accepted, so a hit means "these exact bytes were already proven genuine under these rules".
/// Everything that can change while a token lives is still checked on every request: the expiry (OpenIddict's own check runs
/// after this), and revocation, the grant, the user, the app and the organisations in <see cref="AccessCheck"/>'s one
/// statement. A hit hands out a deep copy, since the later handlers rewrite the principal (roles, stored dates).
/// </para>
/// Entries leave at the token's expiry, and the cache holds at most <see cref="Capacity"/> tokens (a full cache stores no
/// more; a token not stored is simply verified again). It is per process: a node that restarts verifies afresh.
/// </summary>
public sealed class ValidatedTokens : IDisposable
{
    public const int Capacity = 20_000;

    readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    static string Key(ValidateTokenContext context) =>
        string.Join('\n', context.Token, string.Join(' ', context.TokenValidationParameters.ValidIssuers ?? []),
            string.Join(' ', context.TokenValidationParameters.ValidTypes ?? []));

    /// <summary>A copy of the principal kept for this token under these rules, or null.</summary>
    public ClaimsPrincipal? Find(ValidateTokenContext context) =>
        cache.TryGetValue(Key(context), out ClaimsPrincipal? kept) && kept is not null ? Copy(kept) : null;

    public void Keep(ValidateTokenContext context, ClaimsPrincipal principal)
    {
        if (principal.GetExpirationDate() is not { } expires || expires <= DateTimeOffset.UtcNow) return;
        cache.Set(Key(context), Copy(principal), new MemoryCacheEntryOptions { AbsoluteExpiration = expires, Size = 1 });
    }

    /// <summary>
    /// A deep copy. <see cref="ClaimsPrincipal.Clone"/> is not one: it shares the identities, and the handlers after this one add
    /// and remove claims on them (roles, stored dates), which on a shared identity broke concurrent requests of one token.
    /// </summary>
    static ClaimsPrincipal Copy(ClaimsPrincipal principal) => new(principal.Identities.Select(i => i.Clone()));

    /// <summary>Whether some principal of this exact token is kept (under any issuer and type): for tests and diagnostics.</summary>
    public bool Contains(string token) => cache.Keys.OfType<string>().Any(k => k.StartsWith(token + "\n", StringComparison.Ordinal));

    public void Dispose() => cache.Dispose();

    /// <summary>Before OpenIddict's signature check: a token already proven on this node gets its principal back.</summary>
    public sealed class Reuse(ValidatedTokens tokens) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
            OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseSingletonHandler<Reuse>()
                .SetOrder(Protection.ValidateIdentityModelToken.Descriptor.Order - 500)
                .SetType(OpenIddictValidationHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            // OpenIddict's ValidateIdentityModelToken leaves a principal already attached alone.
            if (context.Principal is null && !string.IsNullOrEmpty(context.Token)) context.Principal = tokens.Find(context);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// After the signature check and OpenIddict's mapping of its claims, before anything reads the store: keep a copy of what the
    /// token itself proved. Only a principal IdentityModel produced on this request (its validation result is attached) is kept.
    /// </summary>
    public sealed class Remember(ValidatedTokens tokens) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
            OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseSingletonHandler<Remember>()
                .SetOrder(Protection.MapInternalClaims.Descriptor.Order + 500)
                .SetType(OpenIddictValidationHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (!context.IsRejected && context.Principal is { } principal && context.TokenValidationResult is { IsValid: true })
                tokens.Keep(context, principal);
            return ValueTask.CompletedTask;
        }
    }
}
