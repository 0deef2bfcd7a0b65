namespace Ledger.Domain;

/// <summary>
/// A command broke a rule that depends on the current state (not on its shape). The API answers 409 with the code.
/// Codes are stable, snake_case, and read as "subject_must_predicate".
/// </summary>
public sealed class Rejected(string code, string? detail = null) : Exception(detail ?? code)
{
    public string Code { get; } = code;
}

/// <summary>A command named something that does not exist (alliance, member, loan…). The API answers 404.</summary>
public sealed class NotFound(string code, string detail) : Exception(detail)
{
    public string Code { get; } = code;
}
