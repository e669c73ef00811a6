namespace Functions.Events.Serialization;

/// <summary>
/// Members of the maps, lists and sets being read, nested ones above their parents', so each
/// collection is allocated once at its final size instead of growing.
/// </summary>
internal sealed class ScratchStack<T>
{
    private T[] _items = new T[64];

    public int Count { get; private set; }

    public void Push(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
    }

    public ReadOnlySpan<T> Since(int start) => _items.AsSpan(start, Count - start);

    public List<T> PopList(int start)
    {
        var list = new List<T>(Count - start);
        list.AddRange(Since(start));
        Pop(start);
        return list;
    }

    /// <summary>Drops the members from <paramref name="start"/> on, and the references to them.</summary>
    public void Pop(int start)
    {
        Array.Clear(_items, start, Count - start);
        Count = start;
    }

    public void Reset() => Pop(0);
}
