using Ledger.Domain.Deliveries;

namespace Ledger.Projections.Deliveries;

public sealed class DeliveryView : StateView<Delivery>;

public sealed partial class DeliveryProjection : DeciderProjection<DeliveryView, Delivery, IDeliveryEvent>
{
    protected override Delivery Fold(Delivery? state, IDeliveryEvent e) => DeliveryDecider.Evolve(state, e);
}
