namespace Functions.AuditCli;

/// <summary>What the tool's exit code tells a script (also in `--help` and README).</summary>
public static class ExitCodes
{
    /// <summary>Done: printed, written, or nothing to do.</summary>
    public const int Ok = 0;
    /// <summary>An error none of the others names.</summary>
    public const int Failed = 1;
    /// <summary>Bad command line: unknown entity type, bad time, a table of another environment, an id covering several items without --sort-key.</summary>
    public const int Usage = 2;
    /// <summary>The audit trail has no record of the entity (in the range asked).</summary>
    public const int NotFound = 3;
    /// <summary>The audit trail cannot give what was asked, so nothing was written: images reduced for size, redacted or not carried by the stream; the state at that time unknown; the item changed since the newest audit record.</summary>
    public const int CannotTell = 4;
    /// <summary>The item changed between the undo's read and its write, and the undo wrote nothing: a script may read again and retry.</summary>
    public const int Conflict = 5;
    /// <summary>AWS could not be reached as configured: no credentials or region (or a profile without one), no such table, access denied, endpoint down.</summary>
    public const int Aws = 6;
    /// <summary>
    /// The undo wrote, but a change came in between and was kept, so the item is not as it was at
    /// the time asked: a put-back kept an attribute the change added; a delete stopped after its
    /// actor mark, or was written back as the change left the item. Not a retry: look at history.
    /// </summary>
    public const int PartlyDone = 7;

    public static readonly IReadOnlyList<(int Code, string Meaning)> All =
    [
        (Ok, "done (printed, written, or nothing to do)"),
        (Failed, "an unexpected error"),
        (Usage, "bad command line: unknown entity, bad time, another environment's table, an id of several items without --sort-key"),
        (NotFound, "no audit record of the entity (in the range asked)"),
        (CannotTell, "the audit trail cannot tell (images reduced, redacted or not carried; state unknown; item changed since its newest audit record): nothing written"),
        (Conflict, "the item changed between the undo's read and write: nothing written"),
        (Aws, "AWS not reachable as configured: credentials, region, table, permissions, endpoint"),
        (PartlyDone, "the undo wrote, but a change that came in between was kept: the item is not as it was at the time asked (the message says what)"),
    ];
}
