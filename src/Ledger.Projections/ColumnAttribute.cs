using System.Reflection;
using Marten.Schema;

namespace Ledger.Projections;

/// <summary>
/// Stores a document member in a column of its own as well, without an index (Marten's duplicated field always adds
/// one): for columns that a covering index INCLUDEs or that SQL sums read, where an index of their own would only slow
/// every write.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ColumnAttribute : MartenAttribute
{
    public override void Modify(DocumentMapping mapping, MemberInfo member) => mapping.DuplicateField(member.Name);
}
