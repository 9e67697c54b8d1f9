using System.Collections;
using System.Linq.Expressions;

namespace Portal.Web.Platform;

/// <summary>What the OpenAPI document and docs/api.md say about a list's sort: its keys, in order, and its default.</summary>
public interface ISortKeys
{
    /// <summary>The default sort, in the <c>sort</c> syntax (e.g. <c>-created</c>).</summary>
    string Default { get; }

    /// <summary>Each key's name and what it orders by, in plain words.</summary>
    IReadOnlyList<(string Name, string Meaning)> Keys { get; }
}

/// <summary>A parsed <c>sort</c>: its canonical text (keys by their names, <c>-</c> for descending) and whether it is the list's default.</summary>
public interface ISort
{
    string Value { get; }
    bool IsDefault { get; }
}

/// <summary>
/// The one sort convention of every list (docs/api.md, "Sorting"; ADR 0035): <c>sort</c> is a comma-separated list of the list's keys,
/// each ascending or with a leading <c>-</c> descending (<c>sort=-dos,patient</c>). A list declares its keys and default once, as a
/// <c>Sorting&lt;Row&gt;</c> (a collection initializer of key name and row member), and marks its endpoint <c>.Sorts(keys)</c> so the
/// document shows them; <see cref="Parse"/> answers a 400 naming <c>sort</c> and listing the keys for anything else. The parsed
/// <see cref="Sort{T}"/> orders a Marten query or rows read whole alike, and rides in the cursor (<see cref="CursorPaging.Parse(string?, int?, ISort)"/>)
/// so the next page keeps it and a cursor sent with another sort is a 400 naming <c>cursor</c>.
/// </summary>
public sealed class Sorting<T>(string defaultSort) : ISortKeys, IEnumerable
{
    const int MaxTerms = 4;
    readonly List<SortKey<T>> keys = [];
    Func<Sort<T>.Orderer, bool, Sort<T>.Orderer>? tie;

    public string Default { get; } = defaultSort;

    IReadOnlyList<(string Name, string Meaning)> ISortKeys.Keys => [.. keys.Select(k => (k.Name, k.Meaning))];

    public IEnumerable<string> Names => keys.Select(k => k.Name);

    /// <summary>A key ordering by one member of the row. <paramref name="name"/> may carry aliases after a bar: <c>"charge|amount"</c>.</summary>
    public void Add<TKey>(string name, string meaning, Expression<Func<T, TKey>> by) => keys.Add(SortKey<T>.Of(name, meaning, [Part.Of(by)]));

    /// <summary>
    /// A key whose natural reading is the member descending (<c>priority</c>: the highest first, as the coding queue always sorted it);
    /// <c>-key</c> then reads the member ascending.
    /// </summary>
    public void AddReversed<TKey>(string name, string meaning, Expression<Func<T, TKey>> by) => keys.Add(SortKey<T>.Of(name, meaning, [Part.Of(by, reversed: true)]));

    /// <summary><see cref="AddReversed{TKey}"/> with a second member, in the key's plain direction, breaking ties of the first.</summary>
    public void AddReversed<TKey1, TKey2>(string name, string meaning, Expression<Func<T, TKey1>> by, Expression<Func<T, TKey2>> thenBy) =>
        keys.Add(SortKey<T>.Of(name, meaning, [Part.Of(by, reversed: true), Part.Of(thenBy)]));

    /// <summary>A key ordering by two members (the second breaks ties of the first), both in the key's direction.</summary>
    public void Add<TKey1, TKey2>(string name, string meaning, Expression<Func<T, TKey1>> by, Expression<Func<T, TKey2>> thenBy) =>
        keys.Add(SortKey<T>.Of(name, meaning, [Part.Of(by), Part.Of(thenBy)]));

    /// <summary>
    /// The last tie-breaker of every sort (an id, a control number), in the direction of the sort's last key: rows that tie on every
    /// chosen key keep one order from page to page.
    /// </summary>
    public Sorting<T> TieBreak<TKey>(Expression<Func<T, TKey>> by)
    {
        var part = Part.Of(by);
        tie = (o, descending) => o.Then(part, descending);
        return this;
    }

    /// <summary>The list's sort from <c>?sort=</c>: null or empty is the default; anything not made of the keys is a 400 naming <c>sort</c>.</summary>
    public Sort<T> Parse(string? sort)
    {
        var text = string.IsNullOrWhiteSpace(sort) ? Default : sort.Trim();
        var terms = new List<(SortKey<T> Key, bool Descending)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var descending = term.StartsWith('-');
            var name = descending ? term[1..] : term.TrimStart('+');
            var key = keys.FirstOrDefault(k => k.Answers(name));
            if (key is null) throw Refused(term.Length == 0 ? "an empty key" : $"'{(term.Length > 40 ? term[..40] + "…" : term)}'");
            if (terms.Any(t => t.Key == key)) throw Refused($"'{key.Name}' twice");
            terms.Add((key, descending));
        }
        if (terms.Count > MaxTerms) throw Refused($"more than {MaxTerms} keys");
        var value = string.Join(',', terms.Select(t => (t.Descending ? "-" : "") + t.Key.Name));
        return new Sort<T>(terms, value, value == Parse0(Default), tie);
    }

    /// <summary>For pages, which take the sort from the address bar: the value as the API would read it, or the default when it is not one.</summary>
    public string OrDefault(string? sort)
    {
        try { return Parse(sort).Value; }
        catch (InvalidInput) { return Default; }
    }

    string Parse0(string text) => string.Join(',', text.Split(',').Select(t =>
    {
        var d = t.StartsWith('-');
        var k = keys.First(k => k.Answers(d ? t[1..] : t));
        return (d ? "-" : "") + k.Name;
    }));

    InvalidInput Refused(string what) => new("sort",
        $"sort is a comma-separated list of {string.Join(", ", keys.Select(k => k.Name))}, each optionally after '-' for descending " +
        $"(default {Default}); not {what}.");

    IEnumerator IEnumerable.GetEnumerator() => keys.GetEnumerator();

    internal sealed record Part(Func<IQueryable<T>, bool, IOrderedQueryable<T>> First, Func<IOrderedQueryable<T>, bool, IOrderedQueryable<T>> ThenQ,
        Func<IEnumerable<T>, bool, IOrderedEnumerable<T>> FirstE, Func<IOrderedEnumerable<T>, bool, IOrderedEnumerable<T>> ThenE)
    {
        public static Part Of<TKey>(Expression<Func<T, TKey>> by, bool reversed = false)
        {
            if (reversed)
            {
                var plain = Of(by);
                return new((q, d) => plain.First(q, !d), (q, d) => plain.ThenQ(q, !d), (e, d) => plain.FirstE(e, !d), (e, d) => plain.ThenE(e, !d));
            }
            var f = by.Compile();
            // Rows read whole sort names as a reader expects (case aside; the database sorts by its collation), and enums by name,
            // as the database does (Marten stores them as strings): a list sorts alike whether it is read whole or queried.
            var underlying = Nullable.GetUnderlyingType(typeof(TKey)) ?? typeof(TKey);
            var cmp = typeof(TKey) == typeof(string) ? (IComparer<TKey>)(object)StringComparer.OrdinalIgnoreCase
                : underlying.IsEnum ? Comparer<TKey>.Create((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a?.ToString(), b?.ToString()))
                : Comparer<TKey>.Default;
            return new(
                (q, d) => d ? q.OrderByDescending(by) : q.OrderBy(by),
                (q, d) => d ? q.ThenByDescending(by) : q.ThenBy(by),
                (e, d) => d ? e.OrderByDescending(f, cmp) : e.OrderBy(f, cmp),
                (e, d) => d ? e.ThenByDescending(f, cmp) : e.ThenBy(f, cmp));
        }
    }
}

/// <summary>One key of a list's sort: its name, aliases (older names kept working) and the members it orders by.</summary>
sealed class SortKey<T>
{
    public required string Name { get; init; }
    public required string Meaning { get; init; }
    internal required string[] Aliases { get; init; }
    internal required Sorting<T>.Part[] Parts { get; init; }

    internal static SortKey<T> Of(string name, string meaning, Sorting<T>.Part[] parts)
    {
        var names = name.Split('|');
        return new SortKey<T> { Name = names[0], Aliases = names[1..], Meaning = meaning, Parts = parts };
    }

    internal bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A list's parsed sort: orders a query (<see cref="Apply(IQueryable{T})"/>) or rows read whole (<see cref="Apply(IEnumerable{T})"/>).</summary>
public sealed class Sort<T> : ISort
{
    readonly IReadOnlyList<(SortKey<T> Key, bool Descending)> terms;
    readonly Func<Orderer, bool, Orderer>? tie;

    internal Sort(IReadOnlyList<(SortKey<T> Key, bool Descending)> terms, string value, bool isDefault, Func<Orderer, bool, Orderer>? tie)
    {
        this.terms = terms;
        this.tie = tie;
        Value = value;
        IsDefault = isDefault;
    }

    public string Value { get; }
    public bool IsDefault { get; }

    /// <summary>The first key's name and direction: what a keyset list checks to keep its keyset path.</summary>
    public (string Key, bool Descending) First => (terms[0].Key.Name, terms[0].Descending);

    /// <summary>True when the sort is exactly this one key in this direction (e.g. <c>Is("dos", descending: true)</c>).</summary>
    public bool Is(string key, bool descending) => terms.Count == 1 && terms[0].Key.Name == key && terms[0].Descending == descending;

    public IOrderedQueryable<T> Apply(IQueryable<T> query) => Order(new Orderer(query, null)).Query!;

    public IOrderedEnumerable<T> Apply(IEnumerable<T> rows) => Order(new Orderer(null, rows)).Rows!;

    Orderer Order(Orderer o)
    {
        foreach (var (key, descending) in terms)
            foreach (var part in key.Parts)
                o = o.Then(part, descending);
        return tie is null ? o : tie(o, terms[^1].Descending);
    }

    public override string ToString() => Value;

    /// <summary>Either a query or rows being ordered; the first part orders, the following ones break ties.</summary>
    internal readonly record struct Orderer(IQueryable<T>? Source, IEnumerable<T>? SourceRows)
    {
        public IOrderedQueryable<T>? Query { get; init; }
        public IOrderedEnumerable<T>? Rows { get; init; }

        public Orderer Then(Sorting<T>.Part part, bool descending) => Source is not null
            ? this with { Query = Query is null ? part.First(Source, descending) : part.ThenQ(Query, descending) }
            : this with { Rows = Rows is null ? part.FirstE(SourceRows!, descending) : part.ThenE(Rows, descending) };
    }
}

/// <summary>Marks an endpoint's list with its sort keys, for the OpenAPI document (<see cref="SortedLists"/>).</summary>
public static class SortingEndpoints
{
    public static RouteHandlerBuilder Sorts(this RouteHandlerBuilder builder, ISortKeys keys) => builder.WithMetadata(keys);
}
