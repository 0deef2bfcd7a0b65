using Ledger.Domain.CostShares;
using Ledger.Domain.Payments;
using Ledger.Domain.Purchases;
using Ledger.Domain.Settlement;

namespace Ledger.Projections.Sharing;

public sealed class PurchaseView : StateView<JointPurchase>;

public sealed partial class PurchaseProjection : DeciderProjection<PurchaseView, JointPurchase, IPurchaseEvent>
{
    protected override JointPurchase Fold(JointPurchase? state, IPurchaseEvent e) => PurchaseDecider.Evolve(state, e);
}

public sealed class CostShareView : StateView<CostShare>;

public sealed partial class CostShareProjection : DeciderProjection<CostShareView, CostShare, ICostShareEvent>
{
    protected override CostShare Fold(CostShare? state, ICostShareEvent e) => CostShareDecider.Evolve(state, e);
}

public sealed class PaymentView : StateView<Payment>;

public sealed partial class PaymentProjection : DeciderProjection<PaymentView, Payment, IPaymentEvent>
{
    protected override Payment Fold(Payment? state, IPaymentEvent e) => PaymentDecider.Evolve(state, (PaymentRecorded)e);
}

public sealed class SettlementView : StateView<SettlementState>;

public sealed partial class SettlementProjection : DeciderProjection<SettlementView, SettlementState, ISettlementEvent>
{
    protected override SettlementState Fold(SettlementState? state, ISettlementEvent e) => SettlementDecider.Evolve(state, e);
}
