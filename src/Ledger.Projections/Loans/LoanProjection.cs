using Ledger.Domain.Loans;

namespace Ledger.Projections.Loans;

public sealed class LoanView : StateView<Loan>;

public sealed partial class LoanProjection : DeciderProjection<LoanView, Loan, ILoanEvent>
{
    protected override Loan Fold(Loan? state, ILoanEvent e) => LoanDecider.Evolve(state, e);
}
