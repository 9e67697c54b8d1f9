using System.Globalization;

namespace Portal.Billing.X12;

/// <summary>
/// Builds one segment at a time in a reusable buffer and writes it out on End(). Empty trailing elements and
/// components are dropped (X12 requires it), and delimiter characters in free text become spaces.
/// </summary>
internal sealed class SegmentWriter(TextWriter output, Separators sep)
{
    char[] _buffer = new char[512];
    int _length;
    public Separators Sep { get; } = sep;
    public bool Counting { get; set; }
    public int Count { get; private set; }

    public SegmentWriter Begin(string id)
    {
        _length = 0;
        Append(id);
        return this;
    }

    /// <summary>An element as it is (codes, identifiers we control).</summary>
    public SegmentWriter E(string? value = null)
    {
        Put(Sep.Element);
        if (value is not null) Append(value);
        return this;
    }

    public SegmentWriter E(int value)
    {
        Put(Sep.Element);
        Ensure(11);
        value.TryFormat(_buffer.AsSpan(_length), out var n, default, CultureInfo.InvariantCulture);
        _length += n;
        return this;
    }

    /// <summary>Free text: delimiters replaced by spaces, trimmed.</summary>
    public SegmentWriter T(string? value)
    {
        Put(Sep.Element);
        if (value is null) return this;
        var start = _length;
        foreach (var ch in value.AsSpan().Trim())
            Put(ch == Sep.Element || ch == Sep.Component || ch == Sep.Repetition || ch == Sep.Segment || ch < ' ' ? ' ' : ch);
        while (_length > start && _buffer[_length - 1] == ' ') _length--;
        return this;
    }

    /// <summary>Money: at most two decimals, no trailing zeros (120, 120.5, 120.55), never an exponent.</summary>
    public SegmentWriter M(decimal amount)
    {
        Put(Sep.Element);
        Ensure(40);
        Math.Round(amount, 2, MidpointRounding.AwayFromZero).TryFormat(_buffer.AsSpan(_length), out var n, "0.##", CultureInfo.InvariantCulture);
        _length += n;
        return this;
    }

    /// <summary>Quantities (units, NDC quantity): up to three decimals, no trailing zeros.</summary>
    public SegmentWriter Q(decimal quantity)
    {
        Put(Sep.Element);
        Ensure(40);
        quantity.TryFormat(_buffer.AsSpan(_length), out var n, "0.###", CultureInfo.InvariantCulture);
        _length += n;
        return this;
    }

    public SegmentWriter D(DateOnly date)
    {
        Put(Sep.Element);
        Date(date);
        return this;
    }

    public SegmentWriter Span(DateOnly from, DateOnly to)
    {
        Put(Sep.Element);
        Date(from);
        Put('-');
        Date(to);
        return this;
    }

    void Date(DateOnly date)
    {
        Ensure(8);
        date.TryFormat(_buffer.AsSpan(_length), out var n, "yyyyMMdd", CultureInfo.InvariantCulture);
        _length += n;
    }

    /// <summary>A composite element; empty trailing components are dropped.</summary>
    public SegmentWriter C(params ReadOnlySpan<string?> parts)
    {
        Put(Sep.Element);
        var last = parts.Length - 1;
        while (last >= 0 && string.IsNullOrEmpty(parts[last])) last--;
        for (var i = 0; i <= last; i++)
        {
            if (i > 0) Put(Sep.Component);
            if (parts[i] is { } p) Append(p);
        }
        return this;
    }

    public SegmentWriter Procedure(string qualifier, string code, IReadOnlyList<string> modifiers)
    {
        Put(Sep.Element);
        Append(qualifier);
        Put(Sep.Component);
        Append(code);
        foreach (var m in modifiers)
        {
            Put(Sep.Component);
            Append(m);
        }
        return this;
    }

    public SegmentWriter Pointers(IReadOnlyList<int> pointers)
    {
        Put(Sep.Element);
        for (var i = 0; i < pointers.Count; i++)
        {
            if (i > 0) Put(Sep.Component);
            Ensure(11);
            pointers[i].TryFormat(_buffer.AsSpan(_length), out var n, default, CultureInfo.InvariantCulture);
            _length += n;
        }
        return this;
    }

    /// <summary>A delimiter written as an element's value (ISA11, ISA16).</summary>
    public SegmentWriter Raw(char value)
    {
        Put(Sep.Element);
        Put(value);
        return this;
    }

    public void End()
    {
        while (_length > 0 && (_buffer[_length - 1] == Sep.Element || _buffer[_length - 1] == Sep.Component)) _length--;
        EndFixed();
    }

    /// <summary>Ends without trimming (the ISA is fixed length).</summary>
    public void EndFixed()
    {
        Put(Sep.Segment);
        output.Write(_buffer, 0, _length);
        if (Counting) Count++;
    }

    void Put(char ch)
    {
        if (_length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _buffer[_length++] = ch;
    }

    void Append(string value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }
}
