using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Functions.NightlyBackup;

/// <summary>
/// The suite's backup names: <c>{table}-{yyyyMMdd}</c>, as the runbook's manual create-backup
/// named them. DynamoDB allows 3-255 characters of <c>[a-zA-Z0-9_.-]</c> (table names use the
/// same characters); a table name too long for the suffix is cut and given a hash of the whole
/// name, so the result is valid, stays unique per table, and is still recognised as the suite's.
/// </summary>
internal static class BackupNaming
{
    public const int MaxLength = 255;
    private const string DateFormat = "yyyyMMdd";
    private const int SuffixLength = 1 + 8; // "-yyyyMMdd"
    private const int HashLength = 8;

    public static string NameFor(string table, DateOnly night)
        => Stem(table) + "-" + night.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>The part before the date: the table name, or its start and a hash when too long.</summary>
    public static string Stem(string table)
    {
        if (table.Length + SuffixLength <= MaxLength) return table;
        var keep = MaxLength - SuffixLength - 1 - HashLength;
        return table[..keep] + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(table)))[..HashLength];
    }

    /// <summary>The night a backup of this table belongs to, or null when the suite did not name it.</summary>
    public static DateOnly? NightOf(string backupName, string table)
    {
        var stem = Stem(table);
        if (backupName.Length != stem.Length + SuffixLength
            || !backupName.StartsWith(stem, StringComparison.Ordinal)
            || backupName[stem.Length] != '-')
            return null;
        return DateOnly.TryParseExact(backupName.AsSpan(stem.Length + 1), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var night)
            ? night
            : null;
    }
}
