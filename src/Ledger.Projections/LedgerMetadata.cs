namespace Ledger.Projections;

/// <summary>
/// Metadata every event carries besides its data: the recording user (Marten's user name column) and the role the
/// user acted in (this header).
/// </summary>
public static class LedgerMetadata
{
    public const string RoleHeader = "recorded-by-role";

    public static string? Role(JasperFx.Events.IEvent e) =>
        e.Headers is { } headers && headers.TryGetValue(RoleHeader, out var role) ? role?.ToString() : null;
}
