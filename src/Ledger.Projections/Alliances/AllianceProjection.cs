using Ledger.Domain.Alliances;

namespace Ledger.Projections.Alliances;

public sealed class AllianceView : StateView<Alliance>;

public sealed partial class AllianceProjection : DeciderProjection<AllianceView, Alliance, IAllianceEvent>
{
    protected override Alliance Fold(Alliance? state, IAllianceEvent e) => AllianceDecider.Evolve(state, e);
}
