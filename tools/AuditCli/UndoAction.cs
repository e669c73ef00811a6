namespace Functions.AuditCli;

public enum UndoAction
{
    /// <summary>The item already is as it was then: nothing to write.</summary>
    Nothing,
    /// <summary>Write the image back (or create the item again).</summary>
    PutBack,
    /// <summary>The item did not exist then: delete it.</summary>
    Delete,
}
